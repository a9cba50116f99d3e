"""What the council publishes after (and before) its meetings, read from the store alone.

- `site.publish_site`: a static site (upcoming webcasts, the archive with agenda-indexed links into
  each video, an iCalendar feed and a JSON feed) that a council can put on its web server.
- `report.build_report`: the webcast report (meetings, minutes on air and private, delays,
  incidents, quota, views) as HTML with inline SVG charts, CSV or JSON.

Both only read the store (views come from a port handed in: meetstream.adapters.youtube.stats through
meetstream.bootstrap), write nothing but their own files, atomically, and write the same bytes
for the same data, so a nightly scheduled task changes a file only when its content changed.
An exempt item's title is never published: every title comes from AgendaItem.public_title().
"""
