"""Pages in the language the logged-in user chose (SPEC 11: Chinese by default)."""

from django.utils import translation


class UserLanguageMiddleware:
    """After authentication: a logged-in user's own language wins over the browser's.

    LocaleMiddleware (earlier in the chain) has picked the language from the cookie or
    Accept-Language, which is right for the login page; once we know who is asking,
    `User.language` decides, on every device they log in from.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
