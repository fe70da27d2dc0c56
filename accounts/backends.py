"""Authentication: Django's model backend, with the user's organisation read with it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class OrganisationModelBackend(ModelBackend):
    """Every page names the user's organisation (base.html) and the scope rules read its
    kind: the session's user is read with it, one join instead of a query per request."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("organisation")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
