"""What can be read by hand off each real NITF and NewsML-G2 document of ../shared/realworld."""

from __future__ import annotations

REUTERS_CORRECTED = "superdesk-core/tag_reuters.com_2016_newsml_L1N14N0FF_version_978556838"
REUTERS_CANCELED = "superdesk-core/tag_reuters.com_2016_newsml_L1N14N0FF_version_1542761538"
FLOOD = "CORRECTED-S. Illinois battles flooding as Mississippi River builds downstream"

#: path under realworld -> (format, the stories in document order). In a story, "body" is a
#: phrase of body_text and "not_in_body" one that must not be there; other keys are story keys.
EXPECTED: dict[str, tuple[str, list[dict]]] = {
    "superdesk-core/aap.xml": (
        "nitf",
        [
            {
                "guid": "AAP.115314987.5417374",
                "version": None,
                "version_created": "2013-10-20T08:27:51Z",
                "pubstatus": "usable",
                "urgency": 5,
                "headline": "The main stories on today's 1900 ABC TV news",
                "byline": "John Doe",
                "dateline": "Sydney",
                "subjects": ["02003001", "02003002"],
                "credits": ["Australian Associated Press"],
                "body": "40th anniversary of the Sydney Opera House",
            }
        ],
    ),
    "superdesk-core/ap-nitf.xml": (
        "nitf",
        [
            {
                "provider": "ap",
                "version_created": "2015-12-10T19:10:44Z",
                "pubstatus": "usable",
                "headline": "Can trading pollution like stocks help fight climate change?",
                "byline": "BERNARD CONDON",
                "dateline": "NEW YORK",
                "credits": ["The Associated Press"],
                "body": "NEW YORK (AP) — The gas produced by hog manure",
            }
        ],
    ),
    "superdesk-core/ap_media_text_nitf.xml": (
        "nitf",
        [
            {
                "provider": "ap",
                "version_created": "2019-07-03T04:05:12Z",
                "headline": "BC-BBN--Top Ten",
                "body": "McNeil NYM 72 271 37 95 .351",
            }
        ],
    ),
    "superdesk-core/efe_nitf.xml": (
        "nitf",
        [
            {
                "guid": "22751909",
                "version_created": "2017-01-02T22:28:00Z",
                "pubstatus": "usable",
                "urgency": 5,
                "headline": "Honduran president announces Cabinet changes",
                "byline": "gr/bp",
                "language": "en-US",
                "subjects": ["11006005", "F01001000"],
                "keywords": ["HONDURAS GOVERNMENT"],
                "credits": ["Agencia EFE"],
                "dateline": None,
                "body": "Tegucigalpa, Jan 2 (EFE).- Test body.",
            }
        ],
    ),
    "superdesk-core/nitf-fishing.xml": (
        "nitf",
        [
            {
                "guid": "ongoing-winter-tide-updates",
                "version": 1,
                "version_created": "2002-02-25T19:30:00Z",
                "pubstatus": "canceled",
                "signals": ["kill"],
                "embargoed": "2002-02-26T14:30:00Z",
                "urgency": 3,
                "headline": "Weather and Tide Updates for Norfolk",
                "byline": "Alan Karben",
                "dateline": "Newport News, VA",
                "keywords": ["fishing", "lures", "tides"],
                "subjects": ["17000000", "17004000", "04001002"],
                "body": "Happy fishing everybody!",
                "not_in_body": "captured on film",
            }
        ],
    ),
    "superdesk-core/nitf-ntb.xml": (
        "nitf",
        [
            {
                "provider": "ntb",
                "guid": "faktisk-d9cde75b-256e-4989-b6a3-b8ad27f43a5c",
                "version": 48,
                "version_created": "2020-09-07T14:45:26Z",
                "language": "nb-NO",
                "urgency": 5,
                "headline": "Faktisk.no: Nei, dette dokumentet beskriver ikke FNs Agenda 21 eller Agenda 2030",
                "byline": "Geir Molnes / Faktisk.no",
                "dateline": "Oslo",
                "credits": ["NTB"],
                "body": "Konklusjon: Faktisk helt feil",
            }
        ],
    ),
    "superdesk-core/pa1.xml": (
        "nitf",
        [
            {
                "guid": "PA-SSS-SPORT-Trivia(Oct14)",
                "version_created": "2015-10-14T03:30:01Z",
                "urgency": 4,
                "headline": "PA SPORT TRIVIA (OCTOBER 14)",
                "keywords": ["Trivia (Oct 14)"],
                "credits": ["PA Sport"],
                "body": "first football match under floodlights at Bramall Lane",
            }
        ],
    ),
    "superdesk-core/pa3.xml": (
        "nitf",
        [
            {
                "guid": "PA-HHH-POLITICS-UnitedKingdom",
                "version_created": "2016-09-08T12:24:46Z",
                "embargoed": "2016-09-08T23:01:00Z",
                "pubstatus": "usable",
                "headline": "UK BREAK-UP 'NOT INCONCEIVABLE', FIRST MINISTER WARNS AHEAD OF BREXIT TALKS",
                "byline": "Benjamin Wright, Press Association",
                "body": "play a hands-on role in the Brexit",
            }
        ],
    ),
    "superdesk-core/ap.xml": (
        "newsml",
        [
            {
                "provider": "ap",
                "guid": "tag:ap.org,2011:5e565888b587889c5c8bd62b6164118c-text",
                "version": 2,
                "version_created": "2018-02-26T21:20:34Z",
                "pubstatus": "usable",
                "urgency": 4,
                "signals": ["update"],
                "headline": "Nutrisystem beats 4Q earnings and revenue expectations",
                "slugline": "BC-US--Earns-Nutrisystem, 1st Ld-Writethru",
                "dateline": "FORT WASHINGTON, Pa.",
                "language": "en",
                "keywords": ["Nutrisystem", "Earnings Report", "Pennsylvania"],
                "body": "reported fourth-quarter net income of $10.9 million",
            },
            {
                "guid": "tag:ap.org,2011:b6d5d4eb781939b5fe8722f3fba28ee2-text",
                "version": 2,
                "dateline": "BETHESDA, Md.",
                "body": "funds from operations of $50.7 million",
            },
            {
                "guid": "tag:ap.org,2011:4db5f9c37aac8924db872ba5a7e287e6-text",
                "version": 1,
                "signals": [],
                "headline": "Scripps Networks tops 4Q profit and revenue expectations",
                "dateline": "KNOXVILLE, Tenn.",
            },
        ],
    ),
    "superdesk-core/ansa-newsmlg2-text.xml": (
        "newsml",
        [
            {
                "provider": "ansa",
                "guid": "tag:ansa.it,2017-10-11:40e5fb1034e7e2b21942ea09718fc85a",
                "version": 1,
                "version_created": "2017-10-11T09:41:00Z",
                "urgency": 5,
                "language": "it",
                "headline": "Catalan independence declaration unacceptable - Alfano",
                "dateline": "Rome",
                "body": "Catalan leader Carles Puigdemont signed a declaration",
            }
        ],
    ),
    "superdesk-core/ansa_culture.xml": (
        "newsml",
        [
            {
                "provider": "ansa",
                "guid": "tag:ansa.it,2019-07-01:fd66854b6f8fcf6e0f9dd3792d86ae2e",
                "version": 2,
                "version_created": "2019-07-01T08:22:28Z",
                "first_created": "2019-07-01T08:21:00Z",
                "signals": ["update"],
                "urgency": None,
                "headline": "TEST FROM XAWES",
                "dateline": "ROMA",
                "body": "(ANSA) - ROMA, 1 LUG - TEST FROM XAWES",
            }
        ],
    ),
    "superdesk-core/dpa.xml": (
        "newsml",
        [
            {
                "provider": "dpa",
                "guid": "urn:newsml:dpa.com:20090101:221011-930-4303",
                "version": 1,
                "version_created": "2022-10-11T09:14:42Z",
                "urgency": 4,
                "language": "de",
                "headline": "Eintracht in London: Hintereggers Tränen und Attacke auf Reporter",
                "dateline": "London",
                "credits": ["dpa"],
                "keywords": ["Champions League", "Frankfurt", "London"],
                "body": "bei Tottenham Hotspur um wichtige Punkte",
                "not_in_body": "Großbritannien",
            }
        ],
    ),
    "superdesk-core/tag_reuters.com_0000_newsml_L4N1FL0N0_1132689232": (
        "newsml",
        [
            {
                "provider": "reuters",
                "guid": "tag:reuters.com,0000:newsml_L4N1FL0N0",
                "version": 1132689232,
                "version_created": "2017-01-31T03:47:29Z",
                "signals": ["update"],
                "urgency": 3,
                "headline": "PRECIOUS-Gold rises as Trump policy fuels safe haven demand",
                "slugline": "GLOBAL-PRECIOUS/ (UPDATE 1)",
                "credits": ["Reuters"],
                "body": "Jan 30 (Reuters) - Gold rose on Tuesday on increased safe haven demand",
            }
        ],
    ),
    "superdesk-core/tag_reuters.com_2014_newsml_KBN0FL0NN_version_5": (
        "newsml",
        [
            {
                "provider": "reuters",
                "guid": "tag_reuters.com_2014_newsml_KBN0FL0NN",
                "version": 5,
                "version_created": "2014-07-16T15:53:10Z",
                "first_created": "2014-07-16T08:10:15Z",
                "signals": ["update"],
                "headline": "Confident Assad launches new term in stronger position",
                "byline": "Marwan Makdisi",
                "dateline": "DAMASCUS",
                "language": "en-US",
                "body": "Bashar al-Assad was sworn in for a new term",
            }
        ],
    ),
    REUTERS_CORRECTED: (
        "newsml",
        [
            {
                "provider": "reuters",
                "guid": "tag:reuters.com,0000:newsml_L1N14N0FF",
                "version": 978556838,
                "version_created": "2016-01-04T15:43:34Z",
                "pubstatus": "usable",
                "signals": ["correction"],
                "headline": FLOOD,
                "slugline": "USA-WEATHER/ (UPDATE 1, PIX, CORRECTED)",
                "body": "corrects last paragraph to reflect that figure on Exxon Mobil terminal",
            }
        ],
    ),
    REUTERS_CANCELED: (
        "newsml",
        [
            {
                "provider": "reuters",
                "guid": "tag:reuters.com,0000:newsml_L1N14N0FF",
                "version": 1542761538,
                "version_created": "2016-01-04T16:34:45Z",
                "pubstatus": "canceled",
                "signals": ["kill"],
                "headline": FLOOD,
                "body_text": "",
                "word_count": 0,
            }
        ],
    ),
    "superdesk-core/tag_reuters.com_2018_newsml_MTZXEE13ZXCZES_2": (
        "newsml",
        [
            {
                "provider": "reuters",
                "guid": "tag:reuters.com,2018:newsml_MTZXEE13ZXCZES",
                "version": 2,
                "version_created": "2018-01-03T20:13:08Z",
                "signals": ["update"],
                "dateline": None,
                "headline": "UPDATE 2-Primeira Liga Results",
                "credits": ["Opta Sports Data"],
                "body": "Marítimo (0) 1 Chaves (1) 2",
            }
        ],
    ),
    "iptc-newsml-g2/LISTING_1_A_NewsML-G2_News_Item.xml": (
        "newsml",
        [
            {
                "provider": "reuters",
                "guid": "urn:newsml:acmenews.com:20161018:US-FINANCE-FED",
                "version": 11,
                "version_created": "2018-10-21T21:25:32Z",
                "first_created": "2016-10-18T18:12:21Z",
                "embargoed": "2018-10-23T12:00:00Z",
                "signals": ["update"],
                "language": "en-GB",
                "headline": 'Fed to halt QE to avert "bubble"',
                "slugline": "US-Finance-Fed",
                "byline": "Meredith Jameson",
                "dateline": "Berlin",
                "body_text": "",
            }
        ],
    ),
    "iptc-newsml-g2/LISTING_2_NewsML-G2_Text_Document.xml": (
        "newsml",
        [
            {
                "provider": "acmenews",
                "guid": "urn:newsml:acmenews.com:20161121:US-FINANCE-FED",
                "version": 11,
                "version_created": "2018-11-21T21:25:32Z",
                "headline": 'Fed to halt QE to avert "bubble"',
                "byline": "Meredith Jameson",
                "dateline": "New York, NY",
                "credits": ["Associated Press"],
                "subjects": ["medtop:04000000", "medtop:20000350", "medtop:20000379"],
                "body": "Ugiating ea feugait utat",
            }
        ],
    ),
    "iptc-newsml-g2/LISTING_22_Sports_story_in_NewsML-G2NITF.xml": (
        "newsml",
        [
            {
                "provider": "xmlteam",
                "guid": "tag:xmlteam.com,2016:xt.5932656-preview",
                "version": 11,
                "version_created": "2018-10-19T15:45:00Z",
                "slugline": "AAV!PREVIEW-ARI-PHI",
                "headline": "Preview: Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05 p.m.",
                "body": "Livan Hernandez threw his first complete game",
            }
        ],
    ),
    "iptc-newsml-g2/LISTING_27_Company_Financial_Information.xml": (
        "newsml",
        [
            {
                "provider": "acmenews",
                "version_created": "2018-10-19T14:23:00Z",
                "headline": "Acme Widgets announces annual results",
                "subjects": ["Acme Widget"],
                "body_text": "",
            }
        ],
    ),
    # metadata only (hop history), a picture, a video: no story, no error
    "iptc-newsml-g2/LISTING_29_Hop_History.xml": ("newsml", []),
    "iptc-newsml-g2/LISTING_3_Photo_in_NewsML-G2.xml": ("newsml", []),
    "iptc-newsml-g2/ap_metadata_example.xml": ("newsml", []),
}
