"""Free text typed by people (reasons, conditions, notes, descriptions): bounded.

Two thousand characters hold a long paragraph in Chinese or English; a body of megabytes
in a reason field is a mistake or an attack, refused with a message naming the field.
"""

LONG_TEXT_MAX_LENGTH = 2000
# A note that becomes part of a longer record (a send-back note in the queue note).
SHORT_TEXT_MAX_LENGTH = 500
