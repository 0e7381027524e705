"""The partnership as the summit report describes it (§4 outcomes, §5 boards, §6 workstreams).

Loaded by `chorus demo load`; every row is keyed by a natural key, so loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.governance.tables import BoardKind, OutcomeAudience


@dataclass(frozen=True)
class SeedBoard:
    slug: str
    name: str
    kind: BoardKind
    remit: str
    chair: str = ""
    reports_to: str | None = None


@dataclass(frozen=True)
class SeedWorkstream:
    number: int
    name: str
    purpose: str


@dataclass(frozen=True)
class SeedProject:
    workstream: int
    number: str
    focus: str
    detail: str

    @property
    def reference(self) -> str:
        return f"{self.workstream}.{self.number}"


BOARDS: tuple[SeedBoard, ...] = (
    SeedBoard(
        slug="youth-safety-board",
        name="Youth Safety Board",
        kind=BoardKind.strategic,
        remit=(
            "Receives updates against the implementation action plan and steers the pace of change; "
            "acts as a critical friend; its Chair and Vice-Chair oversee the Youth Safety "
            "Implementation Board without taking implementation decisions."
        ),
        chair="Chair and Vice-Chair",
    ),
    SeedBoard(
        slug="youth-safety-implementation-board",
        name="Youth Safety Implementation Board",
        kind=BoardKind.implementation,
        remit=(
            "Previously the Adolescent Strategy Group. The primary decision makers for the Youth "
            "Safety agenda: senior reps of Children and Young People Services, Public Health, NHS "
            "(CAMHS), Housing, Education and Police. Scrutinises progress and impact; every project "
            "area reports to it every 6 weeks."
        ),
        chair="Director of Children's Services (DCS)",
        reports_to="youth-safety-board",
    ),
    SeedBoard(
        slug="health-and-wellbeing-board",
        name="Health and Well-being Board",
        kind=BoardKind.statutory,
        remit="Statutory board; the Youth Safety Implementation Board updates it on request.",
    ),
    SeedBoard(
        slug="community-safety-partnership",
        name="Community Safety Partnership",
        kind=BoardKind.statutory,
        remit="Statutory board; the Youth Safety Implementation Board updates it on request.",
    ),
    SeedBoard(
        slug="nscp-sab-joint-executive",
        name="Joint Executive of the NSCP and SAB",
        kind=BoardKind.statutory,
        remit=(
            "Joint Executive of the Newham Safeguarding Children's Partnership and the Safeguarding "
            "Adults Board; statutory; updated on request. Its priorities on all-age exploitation "
            "are being updated."
        ),
    ),
    SeedBoard(
        slug="cyps-programme-board",
        name="CYPS Programme Board",
        kind=BoardKind.programme,
        remit=(
            "Children and Young People Services programme board; how it interfaces with youth "
            "safety (performance and improvement) is still to be agreed."
        ),
    ),
)

WORKSTREAMS: tuple[SeedWorkstream, ...] = (
    SeedWorkstream(
        number=1,
        name="Test and Learn",
        purpose=(
            "Agile practices that test what works in real time, learn what to iterate and build an "
            "evidence base, including grant-funded pilots tackling exploitation and youth violence."
        ),
    ),
    SeedWorkstream(
        number=2,
        name="Business as Usual Improvement",
        purpose=(
            "Improving current delivery to children, young people, families and practitioners: "
            "better quality assured, communicated, accessible and user-friendly services."
        ),
    ),
    SeedWorkstream(
        number=3,
        name="Systems Change",
        purpose=(
            "Building the conditions for change: policies, practices, power dynamics, social norms "
            "and mindsets that underlie youth safety, with a diverse set of stakeholders."
        ),
    ),
)

OUTCOMES: tuple[tuple[int, OutcomeAudience, str], ...] = (
    (1, OutcomeAudience.children_young_people_families, "Know where and who to go to for help"),
    (2, OutcomeAudience.children_young_people_families,
     "Receive timely, appropriate and higher quality help proportionate to risk & need"),
    (3, OutcomeAudience.children_young_people_families,
     "Feel and are safe and cared for in the spaces they are in, both physical and virtual"),
    (4, OutcomeAudience.children_young_people_families, "Decreasing vulnerability"),
    (5, OutcomeAudience.workforce,
     "Stronger leadership and direction with great accountability, clarity and decision-making"),
    (6, OutcomeAudience.workforce, "Greater trust across teams working together with families"),
    (7, OutcomeAudience.workforce,
     "A positive working environment that better supports staff, empowers and keeps them safe"),
    (8, OutcomeAudience.partnership,
     "Improved understanding of need, risk, trends and patterns around youth safety in the "
     "borough and beyond"),
    (9, OutcomeAudience.partnership, "Improved use of resources"),
    (10, OutcomeAudience.partnership, "Better understanding of what works well in Newham"),
    (11, OutcomeAudience.partnership, "A more cohesive, varied and responsive support offer"),
    (12, OutcomeAudience.partnership, "Improved culture of learning, sharing and reflection"),
)

PROJECTS: tuple[SeedProject, ...] = (
    SeedProject(
        workstream=1,
        number='1',
        focus='Clinical and therapeutic enhancement of the system including capacity building with and in the VCFS',
        detail=(
            'The overarching vision is to facilitate trauma-informed systems and multiagency working '
            'which enables vulnerable children and young people affected by violence to thrive. '
            'Included in this project area will be the Vanguard programme.'
        ),
    ),
    SeedProject(
        workstream=1,
        number='2',
        focus='Early Intervention Specialist Support to support learning',
        detail=(
            'Empowering groups of education settings to identify and commission the right support for'
            ' young people whose attendance, learning challenges and behaviour are impeding their '
            'learning and leaving them exposed to involvement in serious violence, gangs and county '
            'lines. The SAFE Programme will be included in this project area. This project will also '
            'be reflected in the inclusion strategy, interfacing with the Education Partnership '
            'Board.'
        ),
    ),
    SeedProject(
        workstream=1,
        number='3',
        focus='Discovery Research on specific groups',
        detail=(
            'Set pieces of discovery research which will focus on experiences and journeys of '
            'specific cohorts of young people to find out what their specific needs are and how we '
            'might better meet and support these with reference to their safety. This will include '
            'Black and Asian young males, Gypsy, Roma, Traveller young people and young teenage '
            'females. The research and findings will determine a more detailed response to these '
            'groups.'
        ),
    ),
    SeedProject(
        workstream=1,
        number='4',
        focus='Testing multi-disciplinary teams around families and workers to support.',
        detail=(
            'This project will test whether multi-disciplinary teams make a bigger impact on families'
            ' because of the array of skills and provision available around the family – and around '
            'the key worker. This project will include the Vanguard and SAFE teams and the AP '
            'Specialist Taskforce in Tunmarsh School.'
        ),
    ),
    SeedProject(
        workstream=1,
        number='5',
        focus='Underused / disused spaces, places and locations in the borough to engage with children, young people and families',
        detail=(
            'This will also involve trialling new virtual approaches to engaging children and young '
            'people, including in online contexts.'
        ),
    ),
    SeedProject(
        workstream=2,
        number='1a',
        focus='Following Ofsted inspection, conducting an external peer review of the exploitation and violence reduction pathway with recommendations for improvement.',
        detail=(
            'This will include:\n- Revisiting and reviewing the exploitation pathway guidance in light'
            ' of discussion about thresholds of risk and need and the offer for families.\n- This '
            'includes a review of the various panels in this space – LBNIIPB, PCEHH, MACE, '
            'Partnership Violence Assessment Meeting etc.\n- The Exploitation screening tool needs '
            'further development around the review process and link to safety plan (which requires '
            'review/sign off) and statutory process. Plans for training partnership on using the '
            'exploitation screening tool and the pathway\n- Evaluation of the London Borough of Newham'
            ' Intelligence and Information Partnership (LBNIIP). A report of progress, learning and '
            'recommendations will need to be compiled for decisions about whether and how this '
            'function continues.\n- Formalise the MACE role, interface, responsibility and '
            'relationship with LBNIIP.\n- Review timescales of high, medium and low with the offer of '
            'intervention.\n- Formalise quality assurance'
        ),
    ),
    SeedProject(
        workstream=2,
        number='1b',
        focus='LBNiIP development',
        detail=(
            'Linked with project 1b, this project area will commence with a business case to the '
            'board which sets out the recommendations on next steps for the development of the '
            'LBNiIP. This will include resourcing, funding, data integration, interfaces with other '
            'parts of the pathway.'
        ),
    ),
    SeedProject(
        workstream=2,
        number='2a',
        focus='Quality assuring the youth safety offer.',
        detail=(
            'This will ensure that all services and support (both within the partnership and the '
            'VCFS) for children, young people and families. This will start with provisions '
            'supporting those affected or at risk of exploitation and youth violence. The outcome of '
            'this will be a) a better understanding of the local offer on youth safety and the '
            'quality and impact of each b) a set of preferred providers for commissioning'
        ),
    ),
    SeedProject(
        workstream=2,
        number='2b',
        focus='Communication and Dissemination of the Youth Safety Offer',
        detail=(
            'To coordinate the offer, access routes, referral criteria and specific details to ensure'
            ' children young people and families know how and where to access support.'
        ),
    ),
    SeedProject(
        workstream=2,
        number='3',
        focus='Communities of Sharing and Learning',
        detail=(
            'Establishing communities of learning and sharing, first and foremost focused on '
            'practitioners from different agencies and the VCFS coming together to explore, learn and'
            ' share around specific topics around youth safety. This will also extend to parents and '
            'carers and ambassadors in the community.'
        ),
    ),
    SeedProject(
        workstream=2,
        number='4',
        focus='Improving the trauma-informed offer into schools',
        detail=(
            'Improving the trauma-informed offer into schools to support early help and early '
            'intervention on issues where mental health and well-being affect safety.'
        ),
    ),
    SeedProject(
        workstream=2,
        number='5',
        focus='Enhancing spaces and places in the community to make them safer.',
        detail=(
            'This for example could be sorting out pathway lighting, ensuring that young people '
            'hanging around certain spaces do not make others feel intimidated etc.'
        ),
    ),
    SeedProject(
        workstream=3,
        number='1',
        focus='Single Point of Access',
        detail=(
            'Although this is focused on the wider pathway to enable children, young people and '
            "families' easy access to support, there is a specific intersection of the SPOA with the "
            'exploitation and violence reduction pathway and the new programmes focusing on '
            'supporting vulnerable children and young people. This will be scoped elsewhere but will '
            'report on progress and impact to this board, and the CYPs Improvement Board.'
        ),
    ),
    SeedProject(
        workstream=3,
        number='2',
        focus='Youth Safety Data Integration',
        detail=(
            'This project area will have dedicated resource going forward, to enable Newham to scope '
            'and set out the indicators and metrics linked to changes in youth safety, bring together'
            ' datasets from all partners linking to these and analysing these for trends, patterns '
            'and insights to enable a) a better understanding of the changing profile risk and need '
            'in Newham b) better measurement of impact c) better understanding of where to allocate '
            'resources proactively'
        ),
    ),
    SeedProject(
        workstream=3,
        number='3a',
        focus='Shared Language with children, young people and families',
        detail=(
            'As part of our wider work on diversity and inclusion, there is a particular cultural and'
            ' systemic drive to ensure that we share a language which does not alienate children and '
            'young people – and one which shows an understand, empathy and kindness'
        ),
    ),
    SeedProject(
        workstream=3,
        number='3b',
        focus='Embedding of cultural competency and anti-racist practice',
        detail=(
            'As part of the project 3, quality assuring that we are embedding anti-racist practice '
            'and cultural competency in all of our work in this space'
        ),
    ),
    SeedProject(
        workstream=3,
        number='4',
        focus='Digital Exploration for both virtual delivery and workforce knowledge and practice',
        detail=(
            'Discovery project to help explore the technologies, virtual methods and online spaces '
            'which young people Newham use, live and operate in, in order to make our offer more '
            'accessible, creative and engaging. This also comes with mandatory training and '
            'upskilling for staff about how children and young people navigate virtual spaces and the'
            ' online world and how best we can support them in this.'
        ),
    ),
    SeedProject(
        workstream=3,
        number='5',
        focus="Building our evidence base - Youth Safety 'What Works Well' in Newham",
        detail=(
            'This feeds into the vision of becoming a centre of excellence. It enables us to document'
            " what is having an impact and working well in Newham, a 'playbook' of sorts which others"
            ' in similar contexts are able to pick up and use in their spaces, places, areas and '
            'contexts.'
        ),
    ),
)
