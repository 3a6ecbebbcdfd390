% # The frame of every page: header with the nav (by role), the language switch and the user; `base` is the page.
% # Pages pass title (already translated) and nav (the href of their nav entry).
% from bottle import request
% from webui.auth import current_user, csrf_token
% user = current_user()
<!DOCTYPE html>
<html lang="{{language()}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
% if get('refresh'):
<meta http-equiv="refresh" content="{{refresh}}">
% end
<title>{{title}} · Callbox</title>
<link rel="stylesheet" href="/static/callbox.css">
<link rel="icon" href="data:,">
</head>
<body>
<header class="top">
  <span class="brand">Callbox</span>
% if user:
  <nav>
% pages = [('/', _('Home'))]
% pages.append(('/calls', _('Calls')))
% pages.append(('/bill', _('Bill')))
% pages.append(('/reports', _('Reports')))
% from bottle import request as _request
% if _request.app.config.get('callbox.central'):
% pages.append(('/central/calls', _('Branch calls')))
% end
% if user.role in ('administrator', 'supervisor'):
% pages.append(('/directory', _('Organisation')))
% pages.append(('/callcentre', _('Call centre')))
% end
% if user.role in ('administrator', 'operator'):
% pages.append(('/shop', _('Cashier')))
% end
% if user.is_admin:
% pages.append(('/tariffs', _('Tariffs')))
% pages.append(('/setup', _('Setup')))
% pages.append(('/alerts', _('Alerts')))
% end
% if user.is_admin and user.scope == 'all':
% pages.append(('/users', _('Users')))
% pages.append(('/schedules', _('Schedules')))
% pages.append(('/outbox', _('Outbox')))
% if _request.app.config.get('callbox.central'):
% pages.append(('/central/branches', _('Branch boxes')))
% end
% end
% here = get('nav') or {'Tariffs': '/tariffs'}.get(get('title'), '')
% for href, label in pages:
    <a href="{{href}}"{{!' aria-current="page"' if here == href else ''}}>{{label}}</a>
% end
  </nav>
% end
% # six languages: the current one's name opens the others (a disclosure, no script), each in its own language
  <details class="lang">
    <summary lang="{{language()}}">{{LANGUAGES[language()]}}</summary>
    <span class="menu">
% for code, name in LANGUAGES.items():
% if code != language():
    <a href="{{switch_url(code)}}" lang="{{code}}" hreflang="{{code}}">{{name}}</a>
% end
% end
    </span>
  </details>
% if user:
  <form method="post" action="/logout" class="user">
    <input type="hidden" name="csrf_token" value="{{csrf_token()}}">
    <span>{{user.username}} · {{_(user.role)}}</span> <button type="submit">{{_('Log out')}}</button>
  </form>
% end
</header>
<main>
{{!base}}
</main>
</body>
</html>
