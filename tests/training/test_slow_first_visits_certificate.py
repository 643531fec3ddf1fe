"""Issue 25, item 10 "Slow first visits": the first certificate of a server process is no slower
than the next (the PDF renderer and its fonts are loaded as the process starts)."""


def test_slow_first_visits_server_start_warms_the_certificate_renderer(monkeypatch):
    """The web server's process loads the PDF renderer as it starts, not on the first
    certificate."""
    import gc
    import importlib

    import portal.wsgi
    from training import certificates

    warmed = []
    monkeypatch.setattr(certificates, "pdf_renderer_warm_up", lambda: warmed.append(True))
    importlib.reload(portal.wsgi)
    gc.unfreeze()
    assert warmed


def test_slow_first_visits_warm_up_parses_the_certificate_stylesheet_once():
    from training import certificates

    certificates._pdf_stylesheet.cache_clear()
    certificates.pdf_renderer_warm_up()
    certificates.pdf_renderer_warm_up()
    assert certificates._pdf_stylesheet.cache_info().misses == 1
    assert certificates._pdf_stylesheet.cache_info().currsize == 1
