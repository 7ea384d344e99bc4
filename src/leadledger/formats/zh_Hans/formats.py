"""Django's zh_Hans formats, but money grouped by thousands with a comma (decision 446).

Django's Chinese locale groups no digits ("2841292.00"); contracts, invoices and finance's statements
in mainland China write "2,841,292.00". Only what a template asks to group (`floatformat:"2g"`) is.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 -- every other format as Django has it

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
