from django.apps import AppConfig


class LearningConfig(AppConfig):
    """Click and purchase models, the position curve and shoppers' figures, learnt nightly
    from the events (analytics) for the auction: a layer above both. Its models live in the
    auction app (``ModelVersion``), so this app has no tables of its own."""

    name = "learning"

    def ready(self) -> None:
        from auction.predict import learnt_sources_set
        from core import periodic
        from learning.service import active_position_curve, active_shopper_figures, model_predictor

        learnt_sources_set(predictor=model_predictor, position_curve=active_position_curve,
                           shopper_figures=active_shopper_figures)
        periodic.register("training", _training, order=50, description="retrain click and purchase models")


def _training() -> list[str]:
    from learning.service import models_train

    return [result.message for result in models_train()]
