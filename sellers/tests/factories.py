import factory

from sellers.models import Listing, Seller


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    marketplace_id = factory.Sequence(lambda n: f"S{n}")
    username = factory.Sequence(lambda n: f"seller_{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    marketplace_id = factory.Sequence(lambda n: f"L{n}")
    seller = factory.SubFactory(SellerFactory)
    title = factory.Sequence(lambda n: f"Vintage Nike Sneaker {n}")
    brand = "Nike"
    category = "Women/Shoes/Sneakers"
    size = "8"
    condition = Listing.Condition.GOOD
    price_micros = 45_000_000
    status = Listing.Status.AVAILABLE
