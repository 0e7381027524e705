"""The shell's pages in real Chromium: accessible, light, self-contained, with a working quick exit."""

import pytest

from app.governance.services import load_structure
from tests.browser_support import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
async def governance(db):
    await load_structure()


@pytest.mark.parametrize("path", ["/", "/partnership", "/no-such-page"])
async def test_pages_have_no_wcag_a_or_aa_violations(page, governance, path):
    await page.goto(path)
    await assert_accessible(page)
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"


async def test_404_page_is_in_the_site_layout(page):
    response = await page.goto("/no-such-page")
    assert response.status == 404
    assert await page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert await page.get_by_role("navigation", name="Main").is_visible()


@pytest.mark.parametrize("path", ["/", "/partnership"])
async def test_pages_reflow_at_320_css_pixels_without_sideways_scrolling(page, governance, path):
    await page.set_viewport_size({"width": 320, "height": 640})
    await page.goto(path)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320


async def test_pages_are_usable_at_200_percent_zoom(page, governance):
    # 200 % zoom on a 640 px-wide window lays the page out at 320 CSS pixels.
    await page.set_viewport_size({"width": 640, "height": 800})
    await page.goto("/partnership")
    await page.evaluate("document.body.style.zoom = '2'")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 640


async def test_interactive_targets_are_at_least_44_px(page):
    await page.goto("/")
    sizes = await page.evaluate(
        """[...document.querySelectorAll('header a, .quick-exit a, footer a')]
           .map(a => { const r = a.getBoundingClientRect(); return [a.textContent.trim(), r.width, r.height]; })"""
    )
    assert sizes
    small = [s for s in sizes if s[1] < 44 or s[2] < 44]
    assert not small, small


async def test_quick_exit_leaves_and_back_does_not_return(page):
    await page.goto("/partnership")
    await page.goto("/")
    await page.get_by_role("link", name="Quick exit").click()
    await page.wait_for_url("https://www.bbc.co.uk/**")
    await page.go_back()
    assert page.url.endswith("/partnership")  # the page that had the button is gone from history


async def test_escape_three_times_is_a_quick_exit(page):
    await page.goto("/")
    for _ in range(3):
        await page.keyboard.press("Escape")
    await page.wait_for_url("https://www.bbc.co.uk/**")


async def test_home_page_loads_nothing_from_other_hosts_and_stays_small(page):
    responses = []
    page.on("response", lambda response: responses.append(response))
    await page.goto("/")
    await page.wait_for_load_state("networkidle")
    assert page.off_site.blocked == []
    transferred = sum([len(await r.body()) for r in responses if r.ok])
    assert 0 < transferred < 60_000


async def test_csp_blocks_inline_script_in_the_real_page(page):
    response = await page.goto("/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    ran = await page.evaluate(
        """() => new Promise(resolve => {
             const s = document.createElement('script'); s.textContent = 'window.__inline = 1';
             document.addEventListener('securitypolicyviolation', () => resolve(false), {once: true});
             document.body.appendChild(s); setTimeout(() => resolve(window.__inline === 1), 200);
           })"""
    )
    assert ran is False
