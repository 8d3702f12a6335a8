"""The province's delivery.yaml: the sample spells out the defaults, and mistakes are named."""

from pathlib import Path

import pytest

from contracts.alert_event import ChannelKind
from services import config
from services.config import ConfigError
from services.notifier.core.delivery_config import DeliveryConfig

SAMPLE = Path(__file__).resolve().parents[4] / "config/dienbien/delivery.yaml"


def test_the_sample_says_what_the_defaults_are() -> None:
    assert config.load(SAMPLE, DeliveryConfig) == DeliveryConfig()


def test_without_senders_the_pool_is_the_one_configured_sender() -> None:
    pool = DeliveryConfig().pool("SAFEGUARD", 1.5)
    assert [(s.sender, s.segments_per_second) for s in pool.senders] == [("SAFEGUARD", 1.5)]


def test_an_unknown_class_is_named_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "delivery.yaml"
    path.write_text("priority:\n  default_class: whenever\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown priority class.*whenever"):
        config.load(path, DeliveryConfig)


def test_a_channel_left_out_of_slots_keeps_its_default(tmp_path: Path) -> None:
    path = tmp_path / "delivery.yaml"
    path.write_text("slots: {sms: 2}\n", encoding="utf-8")
    slots = config.load(path, DeliveryConfig).slots
    assert slots == {**DeliveryConfig().slots, ChannelKind.SMS: 2}
