from alerts.selectors import unread_count


def unread_alerts(request):
    """``unread_alerts``: the signed-in seller's unread alert count for the header's bell (0 otherwise).

    Runs after ``current_seller`` and reuses the seller it found.
    """
    seller = getattr(request, "_current_seller", None)
    return {"unread_alerts": unread_count(seller) if seller is not None else 0}
