"""Staff forms and downloads as a new member of staff meets them: a form sent empty or wrong shows
what to fix on the form itself, in the staff layout (never the participant one with its quick exit
and Childline footer), and nothing is half-stored."""

import pytest

from app.accounts.roles import Role
from tests.staff import make_user, signed_in_cookie
from tests.surveys import make_survey

pytestmark = pytest.mark.usefixtures("db")


async def test_csv_downloads_name_their_character_set_once(client):
    survey_id = await make_survey(code="feel")
    client.cookies.update(await signed_in_cookie(await make_user(Role.admin)))
    analyst = await make_user(Role.analyst)
    for path, cookie in (
        ("/admin/audit/export.csv", None),
        (f"/staff/surveys/{survey_id}/results.csv", analyst),
        (f"/staff/surveys/{survey_id}/export/csv", analyst),
    ):
        if cookie:
            client.cookies.update(await signed_in_cookie(cookie))
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/csv; charset=utf-8", path
