"""Static URLs in production (core.storage): worked out once per process."""

from whitenoise.storage import CompressedManifestStaticFilesStorage

from core.storage import StaticFilesStorage


def test_each_static_url_is_worked_out_once(monkeypatch, tmp_path):
    asked = []

    def hashed_url(storage, name, force=False):
        asked.append((name, force))
        return f"/static/{name}.0123abcd"

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", hashed_url)
    storage = StaticFilesStorage(location=tmp_path)
    assert storage.url("css/portal.css") == storage.url("css/portal.css") == "/static/css/portal.css.0123abcd"
    assert storage.url("js/portal.js") == "/static/js/portal.js.0123abcd"
    assert storage.url("css/portal.css", force=True) == "/static/css/portal.css.0123abcd"  # never from memory
    assert asked == [("css/portal.css", False), ("js/portal.js", False), ("css/portal.css", True)]
