"""Spanish number formats for ClosetAds: a point groups thousands (12.345), as in the amounts
(1.234,50 $, core.money.MONEY_STYLES) and as Spanish resale sellers write them; Django's
own Spanish formats group with a no-break space. Everything else comes from Django's."""

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
