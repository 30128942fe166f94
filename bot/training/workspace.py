"""Where the training data, the held-out examples and the trained models of one project live.

The workbench and the command line work on the repository by default; tests point them at a
small copy (TRAINING_WORKSPACE, read by the API settings), so nothing a test does lands in the real data.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Workspace:
    """A Rasa project folder: data/, domain.yml, config.yml and the trainers' outputs."""

    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def nlu_dir(self) -> Path:
        return self.root / "data" / "nlu"

    @property
    def domain(self) -> Path:
        return self.root / "domain.yml"

    @property
    def config(self) -> Path:
        return self.root / "config.yml"

    @property
    def heldout(self) -> Path:
        """Examples never trained on: the yardstick every evaluation uses."""
        return self.root / "tests" / "nlu_heldout.yml"

    @property
    def conversation_tests(self) -> Path:
        """Reviewed conversations saved as end-to-end test stories."""
        return self.root / "tests" / "conversations"

    @property
    def models_dir(self) -> Path:
        """Models trained from the workbench, kept apart from the one `make train` writes."""
        return self.root / "models" / "workbench"

    @property
    def runs_dir(self) -> Path:
        """Evaluation reports and pictures, one folder per run."""
        return self.root / "results" / "workbench"


def rasa_bin() -> str:
    """The Rasa command line of this environment (RASA_BIN overrides)."""
    return os.environ.get("RASA_BIN") or str(Path(sys.prefix) / "bin" / "rasa")
