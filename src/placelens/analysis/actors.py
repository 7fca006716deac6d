"""Who the actors are: classify organisations taking part in funded R&D into research
organisations, businesses, public bodies and the third sector.

Gateway to Research gives a type only for lead research organisations, so partners are
classified from their names. Rules are tried in order and the first that matches wins; the
order settles the usual conflicts ("University Hospitals NHS Trust" is public, "Biobest
Laboratories Ltd" is a business, "Chartered Institute of ..." is third sector). The rule that
fired is returned beside the type so every classification can be explained, and the
classifier's precision and recall are measured on a hand-labelled sample (tests).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

ACTOR_TYPES = ("research", "business", "public", "third_sector")
ACTOR_LABELS = {"research": "University or research organisation", "business": "Business",
                "public": "Public body", "third_sector": "Third sector"}


def _words(*alternatives: str) -> str:
    return r"(?:" + "|".join(alternatives) + r")"


#: (type, rule name, case-insensitive pattern), in the order they are tried.
RULES: list[tuple[str, str, str]] = [
    ("public", "health and emergency services", _words(
        r"\bNHS\b", r"hospital", r"health ?care\b.*\btrust", r"health board",
        r"clinical commissioning", r"public health", r"health education", r"constabulary",
        r"\bpolice\b", r"fire (?:and|&) rescue")),
    ("business", "legal form", _words(
        r"\bltd\b", r"\blimited\b", r"\bplc\b", r"\binc\b", r"\bllp\b", r"\bllc\b",
        r"\bgmbh\b", r"\bag\b$", r"\bs\.?a\.?$", r"\bs\.?p\.?a\.?$", r"\bb\.?v\.?$",
        r"\bn\.?v\.?$", r"\bab\b$", r"\boy\b$", r"\ba/s\b", r"\bsas\b", r"\bsarl\b",
        r"\bpty\b", r"\bco\.?$", r"\bcorp(?:oration)?\b", r"\bcompany\b", r"\bk\.?k\.?$")),
    ("third_sector", "charity, society or membership body", _words(
        r"\bcharit", r"\bsociety\b", r"\bassociation\b", r"\bassoc\b", r"\bfederation\b",
        r"\bfoundation\b", r"\btrust\b", r"\balliance\b", r"\bpartnership\b", r"\binitiative\b",
        r"\bchartered\b", r"\binstitution of\b", r"\bcathedral\b", r"\bchurch\b", r"\byouth\b",
        r"\bcommunity\b", r"\bcampaign", r"\bfriends of\b", r"\bvoluntary\b", r"\bheritage\b",
        r"\bchamber of\b", r"\btheatre\b", r"\bgallery\b", r"\bconference\b", r"\bunicef\b",
        r"\boxfam\b", r"\bwwf\b", r"\bnational trust\b", r"\bwellcome\b")),
    ("research", "university or research organisation", _words(
        r"universit", r"\bhochschule\b", r"\bcollege\b", r"\binstitut", r"\binst\b",
        r"\bresearch (?:cent|council|lab|program|unit|station)", r"laborator", r"\blab\b",
        r"\bcent(?:re|er) for\b", r"\bobservator", r"max planck", r"fraunhofer", r"\bcnrs\b",
        r"\bcsic\b", r"\binra\b", r"\binserm\b", r"academy of sciences", r"polytechnic",
        r"[ée]cole", r"\bschool\b", r"genomics", r"\bconsorti", r"working group",
        r"\bhub\b", r"\buniv\b", r"\bepfl\b",
        r"\beth zurich\b", r"\bcern\b", r"\bembl\b", r"\bnasa\b", r"\bcsiro\b")),
    ("public", "government and public bodies", _words(
        r"\bcouncil\b", r"\bborough\b", r"\bgovernment\b", r"\bministry\b", r"\bdepartment\b",
        r"\bdept\b", r"\bagency\b", r"\bauthority\b", r"\bexecutive\b", r"\bcommission\b",
        r"\bmet office\b", r"\bsurvey\b", r"\bparliament\b", r"\boffice (?:for|of)\b",
        r"\bstandards\b", r"\bmuseum", r"\blibrary\b", r"\barchives?\b", r"\bacademy of\b",
        r"\bunited nations\b", r"\bunhcr\b", r"\bdefra\b", r"\bdstl\b", r"\bnetwork rail\b")),
    ("business", "trading name", _words(
        r"technolog", r"pharma", r"therapeutics", r"\bsystems\b", r"solutions",
        r"consult", r"engineering", r"industr", r"instruments", r"\bdevices\b",
        r"productions", r"holdings", r"\bgroup\b", r"associates", r"\bdesign\b",
        r"networks", r"electronic", r"software", r"motors", r"aerospace", r"\bbank\b",
        r"\bcapital\b", r"\bpartners\b", r"services", r"products", r"\bfoods?\b", r"ventures",
        r"\benergy\b", r"\bmedical\b", r"biotech", r"\bmedia\b",
        r"\b(?:siemens|ibm|bp|shell|unilever|rolls-royce|astrazeneca|gsk|"
        r"glaxosmithkline|airbus|microsoft|google|intel|pfizer|novartis|roche|syngenta|arup|"
        r"jaguar|toshiba|hitachi|philips|sony|samsung|thales|qinetiq|dyson|vodafone|bt|edf|"
        r"tesco|nestl[eé]|schlumberger|ford|toyota|nissan|bosch|leonardo|mbda|atkins|"
        r"aecom|skanska|veolia|national grid)\b")),
]
COMPILED = [(kind, name, re.compile(pattern, re.IGNORECASE)) for kind, name, pattern in RULES]
LEAD_RULE = "leads research council grants"
DEFAULT_RULE = "no rule matched: assumed a business"


def classify_organisations(names: pd.Series, leads: pd.Series | None = None) -> pd.DataFrame:
    """Type and the rule that set it for each organisation name (index kept).

    ``leads`` marks organisations that lead a research council grant: only eligible research
    organisations may, so they are research organisations unless a health or emergency
    service rule says public body (NHS trusts can lead grants). Names no rule matches are
    assumed to be businesses (the largest group of unlabelled partners) and say so.

    Parameters
    ----------
    names
        Organisation names.
    leads
        Whether each organisation leads a research council grant.

    Returns
    -------
    pandas.DataFrame
        actor_type and type_rule (the rule that set it), per name.
    """
    names = names.fillna("").astype(str)
    kind = pd.Series(None, index=names.index, dtype=object)
    rule = pd.Series(None, index=names.index, dtype=object)
    lead = (leads.reindex(names.index).fillna(False).astype(bool) if leads is not None
            else pd.Series(False, index=names.index))
    for position, (type_, rule_name, pattern) in enumerate(COMPILED):
        if position == 1:
            kind[lead & kind.isna()] = "research"
            rule[lead & rule.isna()] = LEAD_RULE
        hit = kind.isna() & names.str.contains(pattern)
        kind[hit] = type_
        rule[hit] = rule_name
    kind[kind.isna()] = "business"
    rule[rule.isna()] = DEFAULT_RULE
    return pd.DataFrame({"actor_type": kind.astype("str"), "type_rule": rule.astype("str")})


def classification_scores(labels: pd.Series, predicted: pd.Series) -> pd.DataFrame:
    """Precision, recall, F1 and support per type (and their macro average) of predicted
    types against hand labels.

    Parameters
    ----------
    labels
        Hand-labelled types.
    predicted
        Predicted types (same index).

    Returns
    -------
    pandas.DataFrame
        precision, recall, f1 and support per type, with their macro average.
    """
    rows = []
    for type_ in ACTOR_TYPES:
        true_positive = int(((predicted == type_) & (labels == type_)).sum())
        predicted_n, support = int((predicted == type_).sum()), int((labels == type_).sum())
        precision = true_positive / predicted_n if predicted_n else np.nan
        recall = true_positive / support if support else np.nan
        f1 = (2 * precision * recall / (precision + recall)
              if precision and recall else 0.0)
        rows.append({"actor_type": type_, "precision": precision, "recall": recall, "f1": f1,
                     "support": support})
    table = pd.DataFrame(rows).set_index("actor_type")
    table.loc["macro average"] = [table["precision"].mean(), table["recall"].mean(),
                                  table["f1"].mean(), int(table["support"].sum())]
    return table
