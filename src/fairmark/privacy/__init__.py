"""fairmark.privacy: personal data at rest.

Find it (:func:`scan_table`, :func:`scan_text`), keep it out of models that do not need it
(checks ``privacy.pii_in_features`` and ``privacy.data_minimisation``), upload only
correctly hashed match keys (:func:`match_key`), pseudonymise, encrypt and crypto-shred it
(:mod:`fairmark.privacy.protect`), and measure re-identification risk
(:func:`k_anonymity`).
"""
