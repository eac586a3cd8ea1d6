"""Names from page metadata: people split into their CSL parts, organisations kept whole."""
from __future__ import annotations

import pytest

from refsvc.metadata.values import person


@pytest.mark.parametrize("text, name", [
    ("Dr. Sheri Jacobson", {"given": "Sheri", "family": "Jacobson"}),
    ("Prof Sir Simon Wessely", {"given": "Simon", "family": "Wessely"}),
    ("Dame Til Wykes", {"given": "Til", "family": "Wykes"}),
    ("By Dr Jane Smith", {"given": "Jane", "family": "Smith"}),
    ("Written by Claire Eastham", {"given": "Claire", "family": "Eastham"}),
    ("Jacobson, Sheri", {"given": "Sheri", "family": "Jacobson"}),
    ("Dr Sarah Jane Owens FRCPsych", {"given": "Sarah Jane", "family": "Owens"}),
    ("Kirsty Walker, RMN", {"given": "Kirsty", "family": "Walker"}),
    ("Dr Alex George MBBS", {"given": "Alex", "family": "George"}),
    ("Sheri Jacobson PhD", {"given": "Sheri", "family": "Jacobson"}),
    ("Martin Luther King Jr.", {"given": "Martin Luther", "family": "King", "suffix": "Jr."}),
    ("Robert Lee III", {"given": "Robert", "family": "Lee", "suffix": "III"}),
    ("Vincent van Gogh", {"given": "Vincent", "non-dropping-particle": "van", "family": "Gogh"}),
    ("Jean-Paul de la Fontaine", {"given": "Jean-Paul", "non-dropping-particle": "de la",
                                  "family": "Fontaine"}),
    ("Van Morrison", {"given": "Van", "family": "Morrison"}),
    ('Bob "Bobby" Jones', {"given": "Bob", "family": "Jones"}),
    ("Harley Therapy Ltd", {"literal": "Harley Therapy Ltd"}),
    ("NHS England", {"literal": "NHS England"}),
    ("Mind", {"literal": "Mind"}),
])
def test_a_name_is_split_as_an_editor_would(text, name):
    assert person(text) == name


@pytest.mark.parametrize("text", ["Website by Pixel & Co", "https://example.org/about", "a@b.org", ""])
def test_credits_and_addresses_are_no_authors(text):
    assert person(text) is None


def test_a_schema_org_organisation_stays_whole_whatever_it_is_called():
    assert person("Rethink Mental Illness", organisation=True) == {"literal": "Rethink Mental Illness"}
