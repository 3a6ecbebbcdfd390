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
% from webui.auth import current_user, csrf_token
% user = current_user()
% if user:
  <nav>
% pages = [('/', 'Status')] + ([('/directory', 'Organisation')] if user.role in ('administrator', 'supervisor') else [])
% pages += [('/tariffs', 'Tariffs'), ('/setup', 'Setup')] if user.is_admin else []
% pages += [('/users', 'Users')] if user.is_admin and user.scope == 'all' else []
% for href, label in pages:
    <a href="{{href}}"{{!' aria-current="page"' if get('title') == label else ''}}>{{label}}</a>
% end
  </nav>
  <form method="post" action="/logout" class="user">
    <input type="hidden" name="csrf_token" value="{{csrf_token()}}">
    <span>{{user.username}} · {{user.role}}</span> <button type="submit">Log out</button>
  </form>
% end
</header>
<main>
{{!base}}
</main>
</body>
</html>
