"""Japanese is complete: every catalog key and every shipped level text has a real translation."""

from __future__ import annotations

import json
import string
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "lrgame" / "locales"

# Names and code read the same in Japanese; nothing else may be left in English.
SAME_IN_JAPANESE = {
    "Adam",
    "SGD",
    "Nesterov",
    "lr",
    "lr ×10",
    "max_lr / 10",
    "warmup-cosine",
    "{low} – {high}",
    "{name} lr {lr}",
}


def fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_every_catalog_key_has_japanese() -> None:
    template = json.loads((LOCALES / "messages.json").read_text("utf-8"))
    ja = json.loads((LOCALES / "ja.json").read_text("utf-8"))
    missing = [key for key in template if not isinstance(ja.get(key), str) or not ja[key].strip()]
    assert not missing, f"no Japanese for {len(missing)} keys, e.g. {missing[:5]}"
    untranslated = [key for key in template if ja[key] == key and key not in SAME_IN_JAPANESE]
    assert not untranslated, f"Japanese identical to English: {untranslated[:5]}"
    # Extra entries are allowed: strings of branches not merged yet arrive translated.


def test_japanese_keeps_placeholders_and_markup() -> None:
    ja = json.loads((LOCALES / "ja.json").read_text("utf-8"))
    for english, japanese in ja.items():
        assert fields(japanese) == fields(english), english
        assert japanese.count("\n") == english.count("\n"), english
        assert japanese.count("`") == english.count("`"), english
        assert japanese.count("[/]") == english.count("[/]"), english


def test_glossary_terms_are_used() -> None:
    """The article's words appear in the catalog, so the glossary describes what ships."""
    ja = "\n".join(json.loads((LOCALES / "ja.json").read_text("utf-8")).values())
    glossary = (LOCALES / "glossary.ja.md").read_text("utf-8")
    for term in (
        "学習率",
        "歩幅",
        "発散",
        "局所解",
        "局所解にハマる",
        "スケジューリング",
        "Step Decay",
        "アダプティブ学習率",
        "LRファインダー",
        "ウォームアップ",
        "勾配",
        "重み",
        "誤差",
        "学習率の減衰",
    ):
        assert term in glossary, term
        assert term in ja, term


LEVEL_FILES = sorted((ROOT / "levels").glob("*.json")) + sorted(
    (ROOT / "levels" / "lab").glob("*.json")
)


def level_texts(data: dict[str, object]) -> list[tuple[str, object]]:
    """Every title, briefing, hint and demo note of a level file, by its field path."""
    texts = [(key, data[key]) for key in ("title", "briefing", "hint") if key in data]
    demos = data.get("demos")
    if isinstance(demos, dict):
        for kind, items in demos.items():
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict) and "note" in item:
                    texts.append((f"demos.{kind}[{i}].note", item["note"]))
    return texts


def test_every_shipped_level_text_has_japanese() -> None:
    assert len(LEVEL_FILES) >= 18
    lacking = []
    for path in LEVEL_FILES:
        data = json.loads(path.read_text("utf-8"))
        texts = level_texts(data)
        assert any(field == "title" for field, _ in texts), path.name
        for field, value in texts:
            ok = (
                isinstance(value, dict)
                and isinstance(value.get("ja"), str)
                and value["ja"].strip()
                and value["ja"] != value.get("en")
            )
            if not ok:
                lacking.append(f"{path.relative_to(ROOT)}: {field}")
    assert not lacking, "no Japanese for:\n" + "\n".join(lacking)


def test_the_loader_gives_the_japanese_level_texts() -> None:
    from lrgame.levels.loader import check_file

    level = check_file(ROOT / "levels" / "01-first-steps.json", run_demos=False).level
    assert level is not None
    raw = json.loads((ROOT / "levels" / "01-first-steps.json").read_text("utf-8"))
    assert level.title.get("ja") == raw["title"]["ja"]
    assert level.title.get("en") == raw["title"]["en"]
    assert level.briefing is not None and level.briefing.get("ja_JP") == raw["briefing"]["ja"]


def test_the_japanese_readme_is_linked_and_speaks_the_articles_words() -> None:
    assert "(README.ja.md)" in (ROOT / "README.md").read_text("utf-8")
    readme = (ROOT / "README.ja.md").read_text("utf-8")
    assert "--lang ja" in readme and "(README.md)" in readme
    for term in (
        "学習率",
        "歩幅",
        "発散",
        "局所解にハマる",
        "Step Decay",
        "アダプティブ学習率",
        "LRファインダー",
        "ウォームアップ",
        "勾配",
        "重み",
        "誤差",
        "学習率の減衰",
    ):
        assert term in readme, term


def test_the_sweep_summary_ends_as_a_japanese_sentence() -> None:
    from lrgame.analysis.sweep import compute_sweep
    from lrgame.i18n import set_language
    from lrgame.levels.loader import campaign_files, load_level
    from lrgame.levels.paths import shipped_levels_dir

    level = load_level(campaign_files(shipped_levels_dir())[0])
    result = compute_sweep(level, level.strategy({"optimizer": {"name": "sgd", "lr": 0.01}}))
    set_language("ja")
    try:
        text = result.summary()
    finally:
        set_language("en")
    assert text.endswith("。") and not text.endswith(".")
    assert result.summary().endswith(".")
