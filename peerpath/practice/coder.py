"""The reply coder: rules plus a small scikit-learn classifier, trained from the committed
training split when first used (under a second, on one core), so every install codes the same
reply the same way and nothing is downloaded.

Why train at start-up rather than ship a fitted model: the training file is the only artefact,
reviewable line by line in the repository; a pickled model would be an opaque binary tied to one
scikit-learn version. Fitting is deterministic (liblinear, fixed order, no randomness).

The classifier sees the reply's words and character pieces plus a few marker tokens (the first
word, whether it ends in a question mark, whether it asks permission); the rules then make the
decisions the program cannot afford to get wrong: a reply that asks about suicide, self-harm,
weapons or safety is a safety check; advice that asks permission first is not advice without
permission; a question is open or closed.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from peerpath.practice.codes import ALL_CODES, Code

LABELLED = Path(__file__).resolve().parent / "labelled"
TRAINING_FILE = LABELLED / "train.txt"
HELD_OUT_FILE = LABELLED / "heldout.txt"


@dataclass(frozen=True)
class Example:
    text: str
    codes: frozenset[str]
    area: str = "gen"


def parse_examples(lines: Iterable[str], *, source: str = "") -> list[Example]:
    """Read ``codes|area|reply`` lines (``#`` starts a comment); refuse an unknown code."""
    examples = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("|", 2)
        if len(parts) != 3:
            raise ValueError(f"{source}:{number}: expected codes|area|reply")
        codes = frozenset(c.strip() for c in parts[0].split(",") if c.strip())
        unknown = codes - set(ALL_CODES)
        if not codes or unknown:
            raise ValueError(f"{source}:{number}: unknown or missing code {sorted(unknown)}")
        examples.append(Example(text=parts[2].strip(), codes=codes, area=parts[1].strip()))
    return examples


def load_examples(path: Path) -> list[Example]:
    return parse_examples(path.read_text(encoding="utf-8").splitlines(), source=path.name)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- Rules -------------------------------------------------------------------------------------

_SAFETY = re.compile(
    r"suicid|kill(ing)? (yourself|myself)|end(ing)? (your|my) (own )?life|take your (own )?life|"
    r"taking your own life|end (it all|things)|ending it all|hurt(ing)? (yourself|anyone|someone|him|her|them)|"
    r"harm(ing)? yourself|self-harm|cutting|overdos|(want|wish|going) to die|\bdie\b|better off dead|"
    r"better off without you|wouldn't wake up|not wake up|\bdying\b|\bguns?\b|firearms?|weapons?|"
    r"\bsafe\b|\bunsafe\b|in danger|threatening you|not be here|stay with you tonight|be with you tonight|"
    r"alone (with this|tonight)",
    re.IGNORECASE,
)
# Safety words in a sentence that is plainly not asking about the person's safety right now.
_NOT_SAFETY = re.compile(r"safety plan together|crisis line|hotline|number", re.IGNORECASE)
_PERMISSION = re.compile(
    r"would (it|you|that) be (okay|ok|alright|all right|useful|helpful)|"
    r"would (it|that) help|would you (like|want|be (open|interested))|"
    r"(can|could|may) i (share|offer|suggest|give|tell|mention|send)|is it (okay|ok|alright) (if|with)|"
    r"if (you'?d like|you want|you'?re (interested|open)|it'?s (okay|alright|helpful)|it would be helpful)|"
    r"do you want (me to|some|to hear|to know)|want to hear|(only )?if it feels right|your call|"
    r"take it or leave it|feel free to say no|if you want to hear|if it doesn'?t fit|what do you think\?",
    re.IGNORECASE,
)
_OPEN_START = re.compile(
    r"^(what|how(?! many| much| long| often do)|tell me|where|in what|who|could you (tell|say)|"
    r"can you (tell|say)|say more|describe)\b",
    re.IGNORECASE,
)
_CLOSED_START = re.compile(
    r"^(are|is|do|does|did|have|has|had|can|could|would|will|was|were|should|may|aren'?t|isn'?t|"
    r"don'?t|didn'?t|haven'?t|how many|how much|when|which|why don'?t|why not|why would)\b",
    re.IGNORECASE,
)


_AFFIRMING = re.compile(
    r"courage|brave|strength|strong (choice|step)|proud|impressive|determin|resilien|commitment|committed|"
    r"good for you|well done|great (job|support|friend)|did a great|wise|smart|insight|appreciate|"
    r"(took|takes) (a lot|guts|courage|strength)|says a lot|shows|expert|a gift|fighter|resourceful|"
    r"honesty|progress|accomplishment|huge|clear (how|you)|really good at|valuable|patient|grace",
    re.IGNORECASE,
)
_JUDGING = re.compile(
    r"at least|not that bad|no big deal|overreact|dramatic|excuse|fault|should have|could be worse|"
    r"worse than you|have it (worse|harder)|much worse|a lot worse|lucky|grateful|ridiculous|silly|weak|stupid|lazy|"
    r"get over|let it go|everyone (gets|feels|goes)|everybody|nothing|real "
    "problems|you'?re (being|too|just|not the only)|"
    r"known better|your choices|brought this|did the crime|people like you|on you\b|not special|"
    r"in your head|don'?t look sick|snap out|man up|whining|complaining|selfish|what were you thinking|"
    r"come on|not surprised|signed up for|exaggerat|why (are|would) you|didn'?t you learn",
    re.IGNORECASE,
)
_DIRECTIVE = re.compile(
    r"\byou (should|need to|have to|ought to|must|'?ve got to|got to)\b|\bwhat you need\b|\bthe best thing\b|"
    r"^(just |please )?(try|go|get|stop|call|ask|avoid|make|take|don'?t|throw|change|sign|tell|talk|apply|"
    r"write|focus|drink|cut|quit|stay|keep|be|move|find|join|put|eat|sleep|start|use|look|think|give|"
    r"set|see|read|spend|do)\b",
    re.IGNORECASE,
)
_DEPTH = re.compile(
    r"part of you|on one hand|on the other|at the same time|sounds like|it'?s like|as if|even (though|when|on|in)|"
    r"\bbut\b|\band\b.*\b(you|it)\b|not just|more than|less about|rather|torn|wondering|afraid|scared|"
    r"carrying|because|matters|without it|feels? like",
    re.IGNORECASE,
)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s.strip()]


def _questions(text: str) -> list[str]:
    return [s for s in _sentences(text) if s.endswith("?")]


def marker_tokens(text: str) -> str:
    """Marker words the classifier sees beside the reply itself."""
    words = re.findall(r"[a-z']+", text.lower())
    markers = [f"zfirst{words[0].replace(chr(39), '')}" if words else "zfirstnone"]
    questions = _questions(text)
    if questions:
        markers.append("zquestion")
        if _OPEN_START.search(questions[-1]):
            markers.append("zopenstart")
        elif _CLOSED_START.search(questions[-1]):
            markers.append("zclosedstart")
    if _PERMISSION.search(text):
        markers.append("zpermission")
    if _SAFETY.search(text) and not _NOT_SAFETY.search(text):
        markers.append("zsafety")
    if re.search(r"\b(i|i'?ve|i'?m|me|my|myself)\b", text, re.IGNORECASE):
        markers.append("zfirstperson")
    for name, pattern in (("zaffirming", _AFFIRMING), ("zjudging", _JUDGING), ("zdirective", _DIRECTIVE)):
        if pattern.search(text):
            markers.append(name)
    markers.extend("zdepth" for _ in _DEPTH.finditer(text))
    markers.append(f"zlength{min(len(words) // 6, 4)}")
    return " ".join(markers)


def apply_rules(text: str, predicted: set[str], scores: dict[str, float]) -> set[str]:
    """The decisions made by rule on top of the classifier's (see the module docstring)."""
    codes = set(predicted)
    safety = bool(_SAFETY.search(text)) and not _NOT_SAFETY.search(text)
    questions = _questions(text)
    if safety and questions:
        codes.add(Code.SAFETY_CHECK)
    if Code.ADVICE_WITHOUT_PERMISSION in codes and _PERMISSION.search(text):
        codes.discard(Code.ADVICE_WITHOUT_PERMISSION)
        codes.add(Code.ADVICE_WITH_PERMISSION)
    if questions and Code.ADVICE_WITH_PERMISSION not in codes:
        # A question is open or closed; the wording of its start decides when it is plain.
        last = questions[-1]
        if _OPEN_START.search(last) and not re.match(r"^(what were you|why)", last, re.IGNORECASE):
            codes.discard(Code.CLOSED_QUESTION)
            codes.add(Code.OPEN_QUESTION)
        elif _CLOSED_START.search(last):
            codes.discard(Code.OPEN_QUESTION)
            codes.add(Code.CLOSED_QUESTION)
        elif not codes & {Code.OPEN_QUESTION, Code.CLOSED_QUESTION}:
            better = max((Code.OPEN_QUESTION, Code.CLOSED_QUESTION), key=lambda c: scores.get(c, 0.0))
            codes.add(better)
    elif not questions and not re.match(r"^(tell me|say more|describe)", text.strip(), re.IGNORECASE):
        codes.discard(Code.OPEN_QUESTION)
        codes.discard(Code.CLOSED_QUESTION)
    if Code.SIMPLE_REFLECTION in codes and Code.COMPLEX_REFLECTION in codes:
        codes.discard(min((Code.SIMPLE_REFLECTION, Code.COMPLEX_REFLECTION), key=lambda c: scores.get(c, 0.0)))
    if not codes and scores:
        codes.add(max(scores, key=lambda c: scores[c]))
    return {str(c) for c in codes}


# --- The classifier ----------------------------------------------------------------------------


class Coder:
    """Codes replies: ``code(text)`` returns the set of code keys."""

    threshold = 0.4

    def __init__(self, examples: Sequence[Example]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import FeatureUnion
        from sklearn.preprocessing import MultiLabelBinarizer

        if not examples:
            raise ValueError("The coder needs labelled examples to learn from.")
        self.binarizer = MultiLabelBinarizer(classes=list(ALL_CODES))
        targets = self.binarizer.fit_transform([sorted(e.codes) for e in examples])
        self.features = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True)),
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True),
                ),
            ]
        )
        matrix = self.features.fit_transform([self._prepare(e.text) for e in examples])
        self.model = OneVsRestClassifier(
            LogisticRegression(solver="liblinear", C=10.0, class_weight="balanced", random_state=0)
        )
        self.model.fit(matrix, targets)
        # The fitted one-vs-rest models as one weight matrix: the same probabilities as
        # predict_proba (a logistic of each decision function) without its per-call overhead.
        self.weights = np.column_stack([m.coef_.ravel() for m in self.model.estimators_])
        self.intercepts = np.array([m.intercept_[0] for m in self.model.estimators_])

    @staticmethod
    def _prepare(text: str) -> str:
        return f"{marker_tokens(text)} {text}"

    def scores(self, text: str) -> dict[str, float]:
        matrix = self.features.transform([self._prepare(text)])
        decision: Any = np.asarray(matrix @ self.weights).ravel() + self.intercepts
        probabilities = 1.0 / (1.0 + np.exp(-decision))
        return {code: float(p) for code, p in zip(self.binarizer.classes_, probabilities, strict=True)}

    def code(self, text: str) -> set[str]:
        scores = self.scores(text)
        predicted = {c for c, p in scores.items() if p >= self.threshold}
        return apply_rules(text, predicted, scores)


_built: Coder | None = None
_lock = threading.Lock()


def default_coder() -> Coder:
    """The coder trained on the committed training split, built once per process (a few
    seconds of one core; ``warm_up`` starts it before the first reply needs it)."""
    global _built
    if _built is None:
        with _lock:
            if _built is None:
                _built = Coder(load_examples(TRAINING_FILE))
    return _built


def warm_up() -> None:
    """Build the coder in a background thread if it is not built yet (the practice pages call
    it, so the first reply is coded at once). Off where PRACTICE_WARM_UP_CODER is false."""
    from django.conf import settings

    if _built is None and getattr(settings, "PRACTICE_WARM_UP_CODER", True) and not _lock.locked():
        threading.Thread(target=default_coder, name="practice-coder-warm-up", daemon=True).start()


def code_reply(text: str) -> list[str]:
    """The codes of one reply, in the order of ``Code``."""
    found = default_coder().code(text)
    return [c for c in ALL_CODES if c in found]
