"""Site names split off page titles, by the names the page gives and by its host."""
from __future__ import annotations

import pytest

from refsvc.metadata.sites import site_label, split_site


@pytest.mark.parametrize("host, label", [("www.bbc.co.uk", "bbc"), ("en.wikipedia.org", "wikipedia"),
                                         ("www.harleytherapy.co.uk", "harleytherapy"),
                                         ("www.gov.uk", "gov"), ("localhost", "localhost")])
def test_the_host_names_the_site(host, label):
    assert site_label(host) == label


@pytest.mark.parametrize("title, names, host, split", [
    ("Attachment theory - Wikipedia", [], "en.wikipedia.org", ("Attachment theory", "Wikipedia")),
    ("Dynamic Interpersonal Therapy in London | Harley Therapy™", [], "www.harleytherapy.co.uk",
     ("Dynamic Interpersonal Therapy in London", "Harley Therapy™")),
    ("Mental health: a record - BBC News", ["BBC News"], "127.0.0.1", ("Mental health: a record", "BBC News")),
    ("Talking therapies – Rethink Mental Illness", ["Rethink Mental Illness"], "x.org",
     ("Talking therapies", "Rethink Mental Illness")),
    ("Contact us | Samaritans", [], "127.0.0.1", ("Contact us", "Samaritans")),
    ("Crime - and punishment", [], "example.org", ("Crime - and punishment", None)),
])
def test_a_site_name_comes_off_the_title(title, names, host, split):
    assert split_site(title, names, host) == split
