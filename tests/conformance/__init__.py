"""A conformance kit for the audit package format 2: an independent minimal verifier, genuine
and forged packages (vectors), and tests that the product's verifier and this one agree."""
