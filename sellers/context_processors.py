from sellers.selectors import seller_for_user


def current_seller(request):
    """``current_seller``: the signed-in seller, or None, in every template."""
    if not hasattr(request, "_current_seller"):
        request._current_seller = seller_for_user(getattr(request, "user", None))
    return {"current_seller": request._current_seller}
