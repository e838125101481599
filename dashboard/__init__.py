"""The Streamlit dashboard's pages (``app.py`` is the router).

* :mod:`dashboard.data` - cached resources (store, gazetteer, basemap) and cached store queries;
* :mod:`dashboard.state` - filter state that survives page switches, mirrored in the URL;
* :mod:`dashboard.text` - user text shown as text (no markdown/HTML interpretation);
* :mod:`dashboard.map_page`, :mod:`dashboard.ingest_page`, :mod:`dashboard.article_page` - the pages;
* :mod:`dashboard.event_panel` - one stored event: details, edit, merge, delete, undo;
* :mod:`dashboard.review` - the ingest preview's accept / reject / edit table.

Storage logic lives in the store API (:mod:`geo.store`); the pages only call it.
"""
