"""dealscore: score B2B deals from Python with the engine of `dealscore score`.

    import dealscore
    engine = dealscore.Engine()                      # bundled model and policy
    result = engine.score({"id": "d1", "stakeholders": [...]})
    result.verdict, result.viability, result.json     # .json: the CLI's line, byte for byte
    frame = engine.score(pandas.read_json("pipeline.jsonl", lines=True))

A deal is a dict, a JSON text (str or bytes), or a row of a pandas DataFrame
whose columns are the deal's keys (the layout of docs/output.md's input, as
`pandas.read_json(..., lines=True)` reads a pipeline export). A deal that
cannot be scored is a result with an error (code, path, message naming the
input), exactly as `dealscore score` writes it; only a model, policy or option
that keeps the engine from scoring at all raises (SetupError).

Scoring runs in C with the GIL released, and an Engine may be used from any
number of threads at once: each call scores on an engine state of its own
(its own Lua states), taken from a pool. The tutorial is docs/python.md.
"""

import json as _json
import math as _math
import os as _os
import sys as _sys
import warnings as _warnings

from ._native import ACTIONS as _ACTIONS
from ._native import EXPLAIN as _EXPLAIN
from ._native import QUESTIONS as _QUESTIONS
from ._native import REPORT_MARKDOWN as _REPORT_MARKDOWN
from ._native import REPORT_TEXT as _REPORT_TEXT
from ._native import Engine as _NativeEngine
from ._native import SetupError
from ._native import error_json as _error_json
from ._native import result_data as _result_data

__all__ = ["Engine", "Result", "SetupError", "CSVWarning", "shared", "to_frame", "factors", "write_jsonl"]

SCORES = ("capability_roi", "strategic_roi", "measurable_roi", "it_resistance",
          "user_threat", "viability")
# Deals handed to C at once: the GIL is released per chunk, and memory stays
# bounded however long the input.
CHUNK = 512


class CSVWarning(UserWarning):
    """What the CSV import of Engine.score_csv says besides the results: rows of a
    file that cannot be used, rows skipped, the columns an export lacks."""


class Result:
    """What one deal scored to. `json` is the line `dealscore score` writes for
    it (no newline); the attributes hold what that line says, read from the
    engine's typed result (not from the line). An error result has
    `ok == False`, `error` set ({"code", "message", "path"}) and no scores."""

    __slots__ = ("json", "where", "ok", "report", "_data", "_typed")

    def __init__(self, json_line, failed, where, report=None, typed=None):
        self.json = json_line
        self.ok = not failed
        self.where = where
        self.report = report  # the text `dealscore explain` prints, when asked for
        self._data = None
        self._typed = typed   # the engine's result, copied (a capsule), until data is made

    @property
    def data(self):
        """The result as a dict: the keys of `json` in its order, each number
        rounded as the line writes it (the library's dealscore_round), so equal
        to json.loads(result.json). Made once, from the engine's typed result."""
        if self._data is None:
            if self._typed is not None:
                self._data = _result_data(self._typed)
                self._typed = None
            else:  # only the binding's own error line of a value with no JSON form
                self._data = _json.loads(self.json)
        return self._data

    def __getstate__(self):  # pickled (Dask, multiprocessing) with its dict
        return (self.json, self.where, self.ok, self.report, self.data)

    def __setstate__(self, state):
        self.json, self.where, self.ok, self.report, self._data = state
        self._typed = None

    id = property(lambda self: self.data.get("id"))
    error = property(lambda self: self.data.get("error"))
    policy = property(lambda self: self.data.get("policy"))
    model = property(lambda self: self.data.get("model"))
    verdict = property(lambda self: self.data.get("verdict"))
    scores = property(lambda self: self.data.get("scores", {}))
    reasons = property(lambda self: self.data.get("reasons", []))
    warnings = property(lambda self: self.data.get("warnings", []))
    coverage = property(lambda self: self.data.get("coverage"))

    @property
    def viability(self):
        return self.scores.get("viability")

    @property
    def factors(self):
        """Every score's factors (explain=True) as a DataFrame: score, factor,
        effect, stakeholder, detail. The factors of a score sum to it."""
        return _factor_frame([self.data])

    @property
    def stakeholders(self):
        """Effective influence and predicted stance per stakeholder (explain=True)."""
        return _frame(self.data.get("stakeholders", []),
                      ["id", "effective_influence", "predicted_stance"])

    @property
    def actions(self):
        """The next best actions (actions=True), best first: action, target, gain."""
        return _frame(self.data.get("actions", []), ["action", "target", "gain"])

    @property
    def questions(self):
        """The questions whose answers move viability most (questions=True)."""
        return _frame(self.data.get("questions", []),
                      ["field", "stakeholder", "question", "low", "high", "swing",
                       "verdicts", "answers"])

    def __repr__(self):
        if not self.ok:
            e = self.error
            return "<Result %r error %s: %s>" % (self.id, e["code"], e["message"])
        return "<Result %r %s %.1f>" % (self.id, self.verdict, self.viability)

    def __str__(self):
        return self.json


class Engine:
    """The model and policies, loaded once; scores from any number of threads.

    model: a model file (default: the bundled models/default.json).
    policies: the default policy's file, or {"NAME": FILE, ...} (a deal's
        `policy` field names the one that scores it; "default" for the rest),
        or a list of "FILE" / "NAME=FILE" as `dealscore score --policy` takes.
        Default: the bundled scripts/default.lua.
    policy_field: the deal key naming its policy (default "policy").
    policy_instructions, policy_memory: budgets per policy call (Lua
        instructions) and per Lua state (megabytes); default: the model's
        runtime section, 0 for no limit.
    as_of: judge deals without an as_of at this date ("YYYY-MM-DD", a
        datetime.date, or "today").
    max_deal_memory: bytes one deal may use (default 256 MiB).

    Raises SetupError for a model, policy or option that cannot be used.
    """

    def __init__(self, model=None, policies=None, *, policy_field=None,
                 policy_instructions=None, policy_memory=None, as_of=None,
                 max_deal_memory=None):
        self._native = _NativeEngine(
            model=_path(model, "model"), policies=_policy_specs(policies),
            policy_field=policy_field,
            instructions=_count(policy_instructions, "policy_instructions"),
            memory_mb=_count(policy_memory, "policy_memory"),
            deal_memory=_count(max_deal_memory, "max_deal_memory", 0),
            as_of=_as_of(as_of))

    @property
    def model(self):
        """The model's name@version, as results name it."""
        return self._native.model

    def score(self, deals, *, explain=False, actions=False, questions=False,
              max_actions=None, max_questions=None, report=None, source=None):
        """Scores one deal (dict, JSON str or bytes) into a Result, an iterable
        of deals into a list of Results (input order), or a pandas DataFrame
        into a DataFrame of results with the same index (see to_frame).

        explain adds every score's factors and the stakeholders' graph values;
        actions the next best actions (at most max_actions); questions the
        questions that would change the verdict (at most max_questions);
        report ("text" or "markdown") sets each scored Result's `report` to what
        `dealscore explain` prints for the deal.
        source names the input in error messages: "SOURCE:N" for the Nth deal
        (default "deals"; give the file name when scoring a file's lines).
        In one call a deal id seen twice is a duplicate_id error, as in one
        run of `dealscore score`."""
        opts = (explain, actions, questions, max_actions, max_questions, report)
        if _is_single(deals):
            text, _ = next(_named([deals], "deal"), (b"", None))
            return list(self._run([(text, source or "deal")], opts))[0]
        if _is_frame(deals):
            rows = _frame_deals(deals)
            results = list(self._run(_named(rows, source or "deals"), opts))
            return to_frame(results, index=deals.index)
        return list(self.stream(deals, explain=explain, actions=actions,
                                questions=questions, max_actions=max_actions,
                                max_questions=max_questions, report=report, source=source))

    def stream(self, deals, *, explain=False, actions=False, questions=False,
               max_actions=None, max_questions=None, report=None, source=None):
        """Like score() for an iterable, but yields each Result as it is
        scored, reading the input a chunk at a time: for inputs that do not
        fit in memory, such as the lines of a large file
        (engine.stream(open(path), source=path)). Blank lines are skipped and
        counted, so "SOURCE:N" is a line number."""
        opts = (explain, actions, questions, max_actions, max_questions, report)
        return self._run(_named(deals, source or "deals"), opts)

    def score_file(self, path, *, format=None, explain=False, actions=False,
                   questions=False, max_actions=None, max_questions=None, report=None,
                   **csv):
        """Scores a file of deals as `dealscore score FILE` reads it (JSONL, or a
        JSON array that JSONL may follow; a byte order mark, a broken array and a
        deal over the memory limit handled as the program does), all of it in C
        with the GIL released: a list of Results, in input order, named
        "FILE:LINE". The results are held in memory; for a file larger than
        memory, engine.stream(open(path), source=path) reads a chunk at a time.

        format: "jsonl" (also "json") or "csv"; by default the file's extension
        says (.jsonl .ndjson .json: JSONL; .csv .tsv: CSV, scored by
        score_csv(path, **csv) with the CSV keywords given here: mapping,
        stakeholders, ...); a file with another extension is read as JSONL when
        it starts like JSON, and refused otherwise, as are spreadsheets and
        compressed files. Raises OSError when the file cannot be read and
        SetupError when its format is not one this reads, naming the file."""
        fmt = _file_format(path, format, csv)
        if fmt == "csv":
            return self.score_csv(path, explain=explain, actions=actions, questions=questions,
                                  max_actions=max_actions, max_questions=max_questions,
                                  report=report, **csv)
        explain, flags, counts, reports = self._options(
            (explain, actions, questions, max_actions, max_questions, report))
        batch = self._native.batch(flags, *counts, reports)
        try:
            items = batch.score_file(_os.fspath(path), True)
            _note_undated(batch.undated)
        finally:
            batch.close()
        return [Result(line, failed, where, rep, typed)
                for line, failed, rep, where, typed in items]

    def score_csv(self, deals, *, mapping=None, stakeholders=None, relationships=None,
                  contacts=None, titles=None, encoding=None, delimiter=None, decimal=None,
                  thousands=None, date_format=None, explain=False, actions=False,
                  questions=False, max_actions=None, max_questions=None, report=None,
                  messages=None):
        """Scores a CRM export as `dealscore score --csv DEALS ...` does: the deals
        file joined with its stakeholders (contact roles), relationships and
        contacts files through a mapping ("salesforce", "salesforce_api",
        "hubspot", "hubspot_associations", "plain" or a mapping file; see
        docs/csv.md), all of it in C with the GIL released. A list of Results in
        the order of the deals file, named "DEALS:LINE"; a row that cannot be a
        deal is an error Result, with the line, column and code in its message.
        The other options are the program's (--encoding, --delimiter, --decimal,
        --thousands, --date-format, --titles).

        messages: called as messages(kind, text) for what the import says (kind
        "error": a row of a file that cannot be used; "warning": rows skipped on
        purpose; "note": the columns found, those a mapping reads that the export
        lacks, ...); default: each one a CSVWarning. Raises SetupError when the
        files cannot be joined (a missing file, a bad mapping, a header without the
        deal id) or an option is not one, naming it."""
        _, flags, counts, reports = self._options(
            (explain, actions, questions, max_actions, max_questions, report))
        paths = {k: None if v is None else _os.fsdecode(_os.fspath(v)) for k, v in
                 (("deals", deals), ("stakeholders", stakeholders),
                  ("relationships", relationships), ("contacts", contacts),
                  ("titles", titles))}
        if mapping is not None and not isinstance(mapping, str):
            mapping = _os.fsdecode(_os.fspath(mapping))
        batch = self._native.batch(flags, *counts, reports)
        try:
            items, said, completed = batch.score_csv(
                paths.pop("deals"), mapping=mapping, encoding=encoding, delimiter=delimiter,
                decimal=decimal, thousands=thousands, date_format=date_format, typed=True,
                **paths)
            _note_undated(batch.undated)
        finally:
            batch.close()
        for kind, text in said:
            if messages is not None:
                messages(kind, text)
            elif completed or kind != "error":
                _warnings.warn(text, CSVWarning, stacklevel=2)
        if not completed:
            raise SetupError("; ".join(t for k, t in said if k == "error")
                             or "the CSV files could not be read")
        return [Result(line, failed, where, rep, typed)
                for line, failed, rep, where, typed in items]

    def explain(self, deal, *, markdown=False, max_actions=None, max_questions=None,
                source=None):
        """One deal as `dealscore explain` shows it: the Result's `report` is the
        text that command prints (Markdown with markdown=True), with its factors
        (`factors`), next best actions and questions."""
        return self.score(deal, explain=True, actions=True, questions=True,
                          max_actions=max_actions, max_questions=max_questions,
                          report="markdown" if markdown else "text", source=source)

    def actions(self, deal, *, max_actions=None, source=None):
        """One deal scored with its next best actions: .actions is a DataFrame."""
        return self.score(deal, actions=True, max_actions=max_actions, source=source)

    def questions(self, deal, *, max_questions=None, source=None):
        """One deal scored with its questions: .questions is a DataFrame."""
        return self.score(deal, questions=True, max_questions=max_questions, source=source)

    @staticmethod
    def _options(opts):
        explain, actions, questions, max_actions, max_questions, report = opts
        flags = ((_EXPLAIN if explain else 0) | (_ACTIONS if actions or max_actions is not None
                                                 else 0)
                 | (_QUESTIONS if questions or max_questions is not None else 0))
        reports = {None: 0, "text": _REPORT_TEXT, "markdown": _REPORT_MARKDOWN}
        if report not in reports:
            raise SetupError("report takes \"text\" or \"markdown\", not %r" % (report,))
        counts = (_count(max_actions, "max_actions"), _count(max_questions, "max_questions"))
        return explain, flags, counts, reports[report]

    def _run(self, named, opts):
        _, flags, counts, report = self._options(opts)
        batch = self._native.batch(flags, *counts, report)
        try:
            chunk = []
            for item in named:
                chunk.append(item)
                if len(chunk) == CHUNK:
                    yield from _score_chunk(batch, chunk)
                    chunk = []
            if chunk:
                yield from _score_chunk(batch, chunk)
            _note_undated(batch.undated)
        finally:
            batch.close()


def _score_chunk(batch, chunk):
    """Results of (text, where) pairs in their order: the texts scored in one call
    into C, the deals with no JSON form as error rows."""
    texts = [(t.text if isinstance(t, _NonFinite) else t, w) for t, w in chunk
             if not isinstance(t, _Unwritable)]
    scored = iter(batch.score([t for t, _ in texts], [w for _, w in texts], True))
    for text, where in chunk:
        if isinstance(text, _Unwritable):
            line = _error_json(text.id, "bad_type", "%s: $ has no JSON form: %s"
                               % (where, text.why), "$")
            yield Result(line, True, where)
            continue
        line, failed, report, typed = next(scored)
        named = _named_non_finite(line, text.found) if failed and \
            isinstance(text, _NonFinite) else None
        if named is not None:
            yield Result(named, True, where)
        else:
            yield Result(line, failed, where, report, typed)


_SHARED = {}


def shared(**options):
    """The Engine made with these options in this process, made on first use:
    for code shipped to worker processes (Dask, multiprocessing), where each
    task would otherwise load the model and compile the policies again. Safe
    from any thread; the options are Engine's keyword arguments."""
    key = repr(sorted(options.items()))
    engine = _SHARED.get(key)
    if engine is None:
        engine = _SHARED.setdefault(key, Engine(**options))
    return engine


def to_frame(results, index=None):
    """A DataFrame of Results, one row each: id, policy, model, the six scores,
    win_probability (a calibrated model), verdict, reasons, warnings, coverage,
    factors / stakeholders / actions / questions (when asked), error_code,
    error_path, error_message (NaN for scored deals) and json (the CLI's line)."""
    import pandas
    rows = []
    extra = []
    for r in results:
        d = r.data
        row = {"id": d.get("id"), "policy": d.get("policy"), "model": d.get("model")}
        row.update({k: v for k, v in d.get("scores", {}).items()})
        for key in ("win_probability", "verdict", "reasons", "warnings", "coverage"):
            if key in d:
                row[key] = d[key]
        for key in ("factors", "stakeholders", "actions", "questions"):
            if key in d:
                row[key] = d[key]
                if key not in extra:
                    extra.append(key)
        e = d.get("error")
        if e:
            row.update(error_code=e.get("code"), error_path=e.get("path"),
                       error_message=e.get("message"))
        row["json"] = r.json
        rows.append(row)
    columns = (["id", "policy", "model"] + list(SCORES) + ["win_probability", "verdict",
               "reasons", "warnings", "coverage"] + extra
               + ["error_code", "error_path", "error_message", "json"])
    frame = pandas.DataFrame(rows, columns=columns, index=index)
    if frame["win_probability"].isna().all():
        frame = frame.drop(columns="win_probability")
    return frame


def factors(results):
    """Every factor of every scored deal, one row each: id, score, factor,
    effect, stakeholder, detail. results: Results, or a DataFrame from score()
    (scored with explain=True)."""
    if _is_frame(results):  # the frame's own columns (to_frame), not its json lines
        if "factors" not in results.columns:
            return _factor_frame([])
        return _factor_frame({"id": i, "factors": f} for i, f in
                             zip(results["id"], results["factors"]) if isinstance(f, dict))
    return _factor_frame(r.data for r in results)


def write_jsonl(results, file):
    """Writes Results (or a result DataFrame) as JSONL, the lines `dealscore
    score` writes. file: a path or a text file object."""
    lines = results["json"] if _is_frame(results) else (r.json for r in results)
    if hasattr(file, "write"):
        for line in lines:
            file.write(line + "\n")
        return
    # surrogateescape: bytes of the engine's lines that are not UTF-8 are written back
    with open(file, "w", encoding="utf-8", errors="surrogateescape") as f:
        for line in lines:
            f.write(line + "\n")


# ---- inputs ----

def _is_single(x):
    return isinstance(x, (dict, str, bytes, bytearray))


def _is_frame(x):
    return type(x).__name__ == "DataFrame" and hasattr(x, "to_dict")


_JSONL_EXTENSIONS = (".jsonl", ".ndjson", ".json", ".jsonlines")
_CSV_EXTENSIONS = (".csv", ".tsv")
_CSV_KEYWORDS = ("mapping", "stakeholders", "relationships", "contacts", "titles", "encoding",
                 "delimiter", "decimal", "thousands", "date_format", "messages")
# what a deals file is not: the extension, and what to do instead
_NOT_READ = {
    ".xlsx": "an Excel workbook: save the sheet as CSV UTF-8 and score that file, or "
             "read it with pandas.read_excel and give the frame to score()",
    ".xls": "an Excel workbook: save the sheet as CSV UTF-8 and score that file, or "
            "read it with pandas.read_excel and give the frame to score()",
    ".xlsm": "an Excel workbook: save the sheet as CSV UTF-8 and score that file",
    ".ods": "a spreadsheet: save the sheet as CSV UTF-8 and score that file",
    ".parquet": "a Parquet file: read it with pandas.read_parquet and give the frame to "
                "score()",
    ".gz": "compressed: decompress it first, or give engine.stream(gzip.open(path, 'rt')) "
           "its lines",
    ".bz2": "compressed: decompress it first",
    ".xz": "compressed: decompress it first",
    ".zip": "a zip archive: extract the file first",
}


def _file_format(path, format, csv):
    """"jsonl" or "csv" for score_file: format= when given, else the extension,
    else the file's first bytes. SetupError when it is neither, naming the file."""
    name = _os.fsdecode(_os.fspath(path))
    if format is not None:
        fmt = {"jsonl": "jsonl", "json": "jsonl", "ndjson": "jsonl", "csv": "csv"}.get(
            format.lower() if isinstance(format, str) else None)
        if fmt is None:
            raise SetupError("score_file: format takes \"jsonl\" or \"csv\", not %r"
                             % (format,))
    else:
        ext = _os.path.splitext(name)[1].lower()
        if ext in _NOT_READ:
            raise SetupError("%s: not a deals file score_file reads (JSONL or CSV): %s"
                             % (name, _NOT_READ[ext]))
        fmt = ("jsonl" if ext in _JSONL_EXTENSIONS else
               "csv" if ext in _CSV_EXTENSIONS else _sniff(name))
    unknown = sorted(k for k in csv if k not in _CSV_KEYWORDS)
    if unknown:
        raise TypeError("score_file() got an unexpected keyword argument %r" % unknown[0])
    if fmt == "jsonl" and csv:
        raise SetupError("%s: %s= is for CSV files, and this one is read as JSONL%s"
                         % (name, sorted(csv)[0],
                            "" if format is not None else " (give format=\"csv\" if it is CSV)"))
    return fmt


def _sniff(name):
    """A file whose extension does not say: JSONL when its first text is JSON
    (an object or array; an empty file too), else SetupError: a CSV file read as
    JSONL would be one bad_json error per line."""
    with open(name, "rb") as f:
        head = f.read(4096)
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    text = text.lstrip(b" \t\r\n")
    if not text or text[:1] in (b"{", b"["):
        return "jsonl"
    first = text.split(b"\n", 1)[0][:60].decode("utf-8", "replace").rstrip("\r")
    raise SetupError("%s: the file does not start like JSONL (its first line is %r) and its "
                     "extension does not say what it is: give format=\"csv\" for a CSV file, "
                     "format=\"jsonl\" for JSON lines" % (name, first))


def _named(deals, source):
    """(JSON bytes, "SOURCE:N") per deal. Text is read as `dealscore score`
    reads a line: blanks at its end and a byte order mark at the start of the
    input dropped, and a blank line counted (N stays a line number), not scored."""
    n = 0
    for deal in deals:
        n += 1
        if isinstance(deal, str):
            deal = deal.rstrip(" \t\r\n")
            if n == 1 and deal.startswith("\ufeff"):
                deal = deal[1:]
        elif isinstance(deal, (bytes, bytearray)):
            deal = bytes(deal).rstrip(b" \t\r\n")
            if n == 1 and deal.startswith(b"\xef\xbb\xbf"):
                deal = deal[3:]
        else:
            yield _text(deal), "%s:%d" % (source, n)
            continue
        if deal.strip(" \t" if isinstance(deal, str) else b" \t"):
            yield _text(deal), "%s:%d" % (source, n)


class _Unwritable:
    """A deal with no JSON form (a set, an object, a cycle): an error row, never
    an exception, since the deals after it are still scored."""
    __slots__ = ("id", "why")

    def __init__(self, deal, why):
        self.id = _id_of(deal)
        self.why = why


def _id_of(deal):
    """The deal's id as the engine names it in an error: a string, or a whole number."""
    v = deal.get("id") if isinstance(deal, dict) else None
    if isinstance(v, str):
        return v if _utf8(v) is not None else None  # a lone surrogate names nothing
    if isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() \
            and abs(v) <= 2 ** 53:
        return "%d" % v
    return None


def _text(deal):
    if isinstance(deal, bytes):
        return deal
    if isinstance(deal, bytearray):
        return bytes(deal)
    try:
        text = deal if isinstance(deal, str) else _dumps(deal)
        if isinstance(text, _NonFinite):
            text.text = _utf8(text.text, strict=False)
            return text
        return _utf8(text, strict=False)
    except (TypeError, ValueError, RecursionError) as e:  # UnicodeEncodeError too
        return _Unwritable(deal, str(e))


def _utf8(text, strict=True):
    """text as UTF-8; the bytes a file's undecodable bytes were read as
    (surrogateescape) go back as they were. A surrogate no file byte makes
    (a lone \\ud800) has no UTF-8 form: None, or with strict=False the
    UnicodeEncodeError, which names where it is."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        if not strict:
            raise
        return None


def _plain(v):
    """What json.dumps cannot write itself: numpy and pandas values, dates."""
    if hasattr(v, "item") and not hasattr(v, "__len__"):
        return v.item()                     # numpy scalars
    if hasattr(v, "tolist"):
        return v.tolist()                   # numpy arrays (lists read from Parquet)
    if hasattr(v, "isoformat"):             # datetime, date, pandas Timestamp
        if hasattr(v, "hour") and not (v.hour or v.minute or v.second or v.microsecond):
            return v.date().isoformat()
        return v.isoformat()
    raise TypeError("%s is not a JSON value" % type(v).__name__)


def _dumps(deal):
    try:
        return _json.dumps(deal, ensure_ascii=False, allow_nan=False, default=_plain)
    except ValueError as e:  # NaN or infinity inside: see _NonFinite
        if "Out of range float" not in str(e):
            raise
        found = {}
        text = _json.dumps(_no_nan(deal, "$", found), ensure_ascii=False, allow_nan=False,
                           default=_plain)
        return _NonFinite(text, found)


class _NonFinite:
    """A deal holding NaN or infinity, which JSON cannot: written with null in
    their place, so the engine judges each as it judges a missing value (a
    custom field may be null; a number field may not), and `found` maps each
    one's path to what it was, so that an error at that path names it (got NaN,
    not got null)."""
    __slots__ = ("text", "found")

    def __init__(self, text, found):
        self.text = text
        self.found = found


def _no_nan(v, path, found):
    if isinstance(v, float) and not _math.isfinite(v):
        found[path] = "NaN" if v != v else "inf" if v > 0 else "-inf"
        return None
    if hasattr(v, "item") and not hasattr(v, "__len__"):
        return _no_nan(v.item(), path, found)  # a numpy float
    if isinstance(v, dict):
        return {k: _no_nan(x, _key_path(path, k), found) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_no_nan(x, "%s[%d]" % (path, i), found) for i, x in enumerate(v)]
    return v


def _key_path(path, key):
    return "%s.%s" % (path, key) if isinstance(key, str) else path + "." + str(key)


def _named_non_finite(line, found):
    """An error line whose path holds a NaN or infinity of the deal given: its
    message names the value (the engine saw null); None when it does not apply."""
    err = _json.loads(line).get("error") or {}
    message, path = err.get("message", ""), err.get("path")
    if path not in found or not message.endswith("got null"):
        return None
    message = message[:-4] + "%s (a float JSON cannot hold: leave the key out when the value " \
        "is not known)" % found[path]
    return _error_json(_json.loads(line).get("id"), err.get("code"), message, path)


def _empty(v):
    """An empty DataFrame cell: the deal does not have the key."""
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    return type(v).__name__ in ("NaTType", "NAType")


def _frame_deals(frame):
    """The deals of a DataFrame in the deal layout, one per row: the row's
    cells by column name, empty cells (NaN, None, NaT) left out."""
    columns = [str(c) for c in frame.columns]
    for values in frame.itertuples(index=False, name=None):
        yield {k: v for k, v in zip(columns, values) if not _empty(v)}


# ---- outputs ----

def _frame(records, columns):
    import pandas
    return pandas.DataFrame(list(records), columns=columns)


def _factor_frame(datas):
    """One row per factor of each result's dict."""
    rows = []
    for d in datas:
        for score, items in d.get("factors", {}).items():
            for f in items:
                rows.append({"id": d.get("id"), "score": score, "factor": f.get("factor"),
                             "effect": f.get("effect"), "stakeholder": f.get("stakeholder"),
                             "detail": f.get("detail")})
    return _frame(rows, ["id", "score", "factor", "effect", "stakeholder", "detail"])


def _note_undated(n):
    if n <= 0:
        return
    frame, level = _sys._getframe(0), 1  # the warning names the caller's line, not ours
    while frame is not None and frame.f_code.co_filename == __file__:
        frame, level = frame.f_back, level + 1
    _warnings.warn(
        "%d deal%s contact dates but no as_of, so staleness was not judged (nothing "
        "decays, no stale: warning); give Engine(as_of=\"today\") or a date, or an "
        "as_of in each deal" % (n, " has" if n == 1 else "s have"), stacklevel=level)


# ---- options ----

def _path(p, what):
    if p is None:
        return None
    try:
        return _os.fspath(p)
    except TypeError:
        raise SetupError("%s: a file name, not %r" % (what, p)) from None


def _policy_specs(policies):
    """(name or None for the default, path) pairs, from a file, a dict or specs."""
    if policies is None:
        return []
    if isinstance(policies, (str, bytes)) or hasattr(policies, "__fspath__"):
        return [(None, _path(policies, "policies"))]
    if isinstance(policies, dict):
        return [(str(name), _path(f, "policies")) for name, f in policies.items()]
    return [_spec(_path(p, "policies")) for p in policies]


def _spec(spec):
    """ "NAME=FILE" or "FILE", as `dealscore score --policy` reads it: an '='
    after a '/' belongs to the file's name."""
    name, eq, path = spec.partition("=")
    if not eq or "/" in name:
        return (None, spec)
    if not name or not path:
        raise SetupError("policies: '%s': expected FILE or NAME=FILE" % spec)
    return (name, path)


def _count(v, what, none=-1):
    if v is None:
        return none
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise SetupError("%s takes a whole number >= 0, not %r" % (what, v))
    return v


def _as_of(v):
    if v is None:
        return None
    if v == "today":
        import datetime
        return datetime.date.today().isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    return str(v)
