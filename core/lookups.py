"""`field__ilike_contains=q`: PostgreSQL's ILIKE '%q%', which a GIN trigram index serves.

Django's `icontains` compiles to `UPPER(col) LIKE UPPER(...)`, which no index on the
column can answer.
"""

from django.db.models import CharField, Lookup, TextField


class ILikeContains(Lookup):
    lookup_name = "ilike_contains"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]

    def get_db_prep_lookup(self, value, connection):
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return "%s", [f"%{escaped}%"]


def register() -> None:
    CharField.register_lookup(ILikeContains)
    TextField.register_lookup(ILikeContains)
