"""KEKs from a file made on first start (make run) or from a mounted Secret's directory.
File system only, in a temporary directory: the KEK sources are adapters, tested for real."""

import base64
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.sealing.envelope import new_data_key
from services.sealing.kek_sources import (
    KekSourceError,
    add_local_kek,
    default_kek_file,
    local_kek_ring,
    secret_directory_kek_ring,
)
from services.sealing.settings import KekSource, SealingSettings, kek_ring

CASE = "inc_" + "1" * 32
NOW = datetime(2026, 12, 2, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_default_file_lies_outside_the_checkout_under_the_data_home() -> None:
    assert default_kek_file({"XDG_DATA_HOME": "/srv/data"}) == Path("/srv/data/safeguard/kek.json")
    home = default_kek_file({})
    assert home == Path.home() / ".local/share/safeguard/kek.json"
    assert not home.is_relative_to(Path(__file__).parents[3])


def test_the_first_start_makes_a_private_file_with_one_kek_and_later_starts_reuse_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "safeguard" / "kek.json"
    first = local_kek_ring(path)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    again = local_kek_ring(path)
    assert again.kek_ids == first.kek_ids == [first.active_kek_id]
    assert first.active_kek_id.startswith("local-")


async def test_a_new_local_kek_becomes_active_and_the_old_one_stays(tmp_path: Path) -> None:
    path = tmp_path / "kek.json"
    old = local_kek_ring(path)
    key = new_data_key()
    wrapped = await old.wrap(CASE, key)
    new_id = add_local_kek(path)
    ring = local_kek_ring(path)
    assert ring.active_kek_id == new_id != old.active_kek_id
    assert set(ring.kek_ids) == {old.active_kek_id, new_id}
    assert _mode(path) == 0o600
    record = wrapped.record(CASE, key.key_id, NOW, NOW)
    assert await ring.unwrap(record) == key


def test_a_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kek.json"
    local_kek_ring(path)
    path.chmod(0o644)
    with pytest.raises(KekSourceError, match="chmod 600"):
        local_kek_ring(path)


def test_a_damaged_file_is_refused_without_showing_its_content(tmp_path: Path) -> None:
    path = tmp_path / "kek.json"
    local_kek_ring(path)
    document = json.loads(path.read_text())
    secret = next(iter(document["keks"].values()))
    document["active"] = "nobody"
    path.write_text(json.dumps(document))
    with pytest.raises(KekSourceError) as refused:
        local_kek_ring(path)
    assert secret not in str(refused.value)
    path.write_text('{"keks": "' + secret + '"}')
    with pytest.raises(KekSourceError, match="not a KEK file") as refused:
        local_kek_ring(path)
    assert secret not in str(refused.value)


def _secret_directory(tmp_path: Path, active: str, ids: list[str]) -> Path:
    """Laid out as the kubelet mounts a Secret: files are links into a `..data` folder."""
    directory = tmp_path / "kek"
    data = directory / "..2026_12_02_08_00_00.000000001"
    data.mkdir(parents=True)
    for kek_id in ids:
        key = base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()
        (data / kek_id).write_text(key + "\n")
    (data / "active").write_text(active)
    os.symlink(data.name, directory / "..data")
    for name in [*ids, "active"]:
        os.symlink(f"..data/{name}", directory / name)
    return directory


def test_a_mounted_secret_gives_every_version_and_the_active_one(tmp_path: Path) -> None:
    directory = _secret_directory(tmp_path, "kek-2026-12", ["kek-2026-06", "kek-2026-12"])
    ring = secret_directory_kek_ring(directory)
    assert ring.kek_ids == ["kek-2026-06", "kek-2026-12"]
    assert ring.active_kek_id == "kek-2026-12"


def test_a_secret_without_its_active_kek_or_not_mounted_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KekSourceError, match="is the Secret mounted"):
        secret_directory_kek_ring(tmp_path / "absent")
    directory = _secret_directory(tmp_path, "kek-2027-01", ["kek-2026-12"])
    with pytest.raises(KekSourceError, match="kek-2027-01"):
        secret_directory_kek_ring(directory)
    (directory / "active").unlink()
    with pytest.raises(KekSourceError, match="no `active` file"):
        secret_directory_kek_ring(directory)


def test_settings_choose_the_source_and_refuse_a_court_period_shorter_than_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    settings = SealingSettings()
    assert settings.kek_source is KekSource.FILE
    assert settings.kek_file == tmp_path / "xdg/safeguard/kek.json"
    kek_ring(settings)
    assert settings.kek_file.is_file()
    directory = _secret_directory(tmp_path, "kek-1", ["kek-1"])
    monkeypatch.setenv("SAFEGUARD_SEALING_KEK_SOURCE", "directory")
    monkeypatch.setenv("SAFEGUARD_SEALING_KEK_DIRECTORY", str(directory))
    assert kek_ring(SealingSettings()).active_kek_id == "kek-1"
    with pytest.raises(ValueError, match="court"):
        SealingSettings(retention_days=400, court_retention_days=300)
