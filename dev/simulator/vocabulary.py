"""The vocabulary of a resale fashion marketplace: categories with price ranges and sizes, brands."""

# (category path, typical price range in dollars, sizes)
CATEGORIES: list[tuple[str, tuple[int, int], list[str]]] = [
    ("Women/Shoes/Sneakers", (25, 140), ["6", "6.5", "7", "7.5", "8", "8.5", "9", "10"]),
    ("Women/Shoes/Boots", (30, 220), ["6", "7", "8", "9", "10"]),
    ("Women/Dresses/Midi", (18, 120), ["XS", "S", "M", "L", "XL"]),
    ("Women/Tops/Blouses", (10, 60), ["XS", "S", "M", "L"]),
    ("Women/Jeans/Straight", (20, 95), ["24", "25", "26", "27", "28", "29", "30"]),
    ("Women/Bags/Shoulder Bags", (30, 650), ["OS"]),
    ("Women/Jackets & Coats/Denim Jackets", (25, 110), ["S", "M", "L"]),
    ("Men/Shoes/Sneakers", (35, 260), ["8", "9", "10", "11", "12"]),
    ("Men/Jackets & Coats/Puffers", (40, 300), ["S", "M", "L", "XL"]),
    ("Men/Shirts/Casual Button Downs", (12, 70), ["S", "M", "L", "XL"]),
    ("Men/Jeans/Slim", (20, 110), ["30", "32", "34", "36"]),
    ("Kids/Girls/Dresses", (8, 40), ["4T", "5", "6", "7", "8"]),
    ("Home/Decor/Vases", (10, 80), ["OS"]),
]
BRANDS = ["Nike", "Adidas", "Lululemon", "Madewell", "Free People", "Levi's", "Coach",
          "Michael Kors", "Zara", "Anthropologie", "Patagonia", "The North Face", "Dr. Martens",
          "Kate Spade", "J.Crew", "Reformation", "Vans", "New Balance", "Frye", "Everlane"]
ADJECTIVES = ["Vintage", "Classic", "Oversized", "Cropped", "Relaxed", "Leather", "Suede",
              "Wool", "Linen", "Floral", "Striped", "High-rise", "Quilted", "Retro"]
SELLER_NAMES = ["vintage_vera", "closet_kai", "thrift_theo", "maya_resells", "denim_dan",
                "boho_bea", "sneaker_sam", "luxe_lina", "preloved_pat", "retro_rosa",
                "style_sage", "market_mo"]
