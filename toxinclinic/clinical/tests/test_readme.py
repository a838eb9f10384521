import re
from pathlib import Path


def test_readme_example_runs(capsys):
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 -- our own documentation example
    out = capsys.readouterr().out
    assert "['64615 × 1', 'J0585 × 155', 'J0585-JW × 45']" in out
    assert out.strip().endswith("call_clinic")
