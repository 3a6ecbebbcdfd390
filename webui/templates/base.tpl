<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
% if get('refresh'):
<meta http-equiv="refresh" content="{{refresh}}">
% end
<title>{{title}} · Callbox</title>
<link rel="stylesheet" href="/static/callbox.css">
</head>
<body>
<header class="top">
  <span class="brand">Callbox</span>
  <nav>
% for href, label in (('/', 'Status'), ('/setup', 'Setup')):
    <a href="{{href}}"{{!' aria-current="page"' if get('title') == label else ''}}>{{label}}</a>
% end
  </nav>
</header>
<main>
{{!base}}
</main>
</body>
</html>
