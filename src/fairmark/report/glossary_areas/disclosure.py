"""Plain-language glossary entries for small-cell suppression in reports.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit). The keys ``below_k`` and ``differencing`` are the reasons a
report gives for a hidden count (:mod:`fairmark.report.disclosure_control`).
"""

_SOURCE = (
    "Hundepool et al. 2010, Handbook on Statistical Disclosure Control (ESSnet SDC / "
    "Eurostat), ch. 4: threshold rule, secondary suppression, disclosure by differencing"
)

ENTRIES: dict[str, dict[str, str]] = {
    "below_k": {
        "name": "fewer people than a report may show",
        "what_it_means": (
            "The count is of fewer people than the smallest number the policy allows any "
            "report to publish (k, 10 unless the policy says otherwise), so it is hidden. "
            "When a whole group is that small, its rates are hidden too."
        ),
        "why_it_matters": (
            "A count of three or four people can point at individuals: someone who knows "
            "them could learn how they were treated or whether they responded."
        ),
        "what_to_do": (
            "Read the other groups' numbers; the verdict still takes the hidden group into "
            "account. If the group matters for the campaign, audit it on more data or by hand "
            "inside the organisation."
        ),
        "source": _SOURCE,
    },
    "differencing": {
        "name": "hidden so a small count cannot be worked out",
        "what_it_means": (
            "This count is not small itself, but showing it would let a reader subtract it "
            "from a total (for example a whole age band minus its published sub-groups) and "
            "get back a count of fewer than k people that is hidden elsewhere in the report."
        ),
        "why_it_matters": (
            "Hiding only the small count is not enough when the numbers around it add up: "
            "the report would still give it away by subtraction."
        ),
        "what_to_do": (
            "Nothing is wrong with the group: its numbers are withheld to protect a smaller "
            "one. The verdict is unchanged: it was reached on the complete data, which only "
            "the person who ran the audit sees."
        ),
        "source": _SOURCE,
    },
    "disclosure_control": {
        "name": "Small-cell suppression",
        "what_it_means": (
            "Every fairmark report hides counts of fewer than k people (the policy's "
            "k_anonymity, 10 by default) and any count that would let a reader work such a "
            "count out by subtraction. Rates of the groups that are shown are kept, because "
            "they are what the audit is for."
        ),
        "why_it_matters": (
            "Audit reports are shared beyond the data team; small counts of people defined "
            "by age, sex or other sensitive features can identify individuals (GDPR Art. 5(1)(f), "
            "Art. 89(1) safeguards for statistical purposes)."
        ),
        "what_to_do": (
            "Choose a minimum group size at least as large as k, so that groups the audit "
            "estimates can also be published. A rate times a shown group size gives a count "
            "back, so share reports only with their intended readers."
        ),
        "source": _SOURCE,
    },
}
