"""State changes in support, one module per area.

Every function is keyword-only with the acting person first, atomic, validated and audited.
Audit entries name participants by reference and never copy an encrypted value: a change to
an encrypted field is recorded as "(changed)".
"""
