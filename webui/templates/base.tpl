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
% # reloaded by /static/refresh.js, which the user can pause (WCAG 2.2.1); a meta refresh only without script
<noscript><meta http-equiv="refresh" content="{{refresh}}"></noscript>
<script src="/static/refresh.js" defer></script>
% end
<script src="/static/dates.js" defer></script>
<title>{{title}} · Callbox</title>
<link rel="stylesheet" href="/static/callbox.css">
<link rel="icon" href="data:,">
</head>
% # the language's date pattern, for /static/dates.js: date fields in the page's language, not the browser's
<body data-date-pattern="{{date_pattern()}}" data-date-hint="{{_('e.g. {date}').format(date=date_example())}}" data-date-error="{{_('Not a date: write it like {date}.').format(date=date_example())}}" data-month-pattern="{{month_pattern()}}" data-month-hint="{{_('e.g. {date}').format(date=month_example())}}" data-month-error="{{_('Not a month: write it like {month}.').format(month=month_example())}}">
<header class="top">
  <span class="brand">Callbox</span>
% if user:
  <nav>
% # grouped so it fits 1,366 px in every language: a group of one page is that page's link, a bigger one a disclosure
% # (<details name>: opening one closes the others, no script)
% admin, box = user.is_admin, user.is_admin and user.scope == 'all'
% sees_org, cashier = user.role in ('administrator', 'supervisor'), user.role in ('administrator', 'operator')
% # the queue pages (operator panel, an agent's own queue calls) on a box whose PBX logs queues or speaks AMI
% queues = get('queue_pages', False)
% from bottle import request as _request
% central = bool(_request.app.config.get('callbox.central'))   # a central box: its branch boxes' calls and health
% groups = [(_('Calls'), [('/calls', _('Calls'), True), ('/callcentre', _('Call centre'), sees_org), ('/notes', _('Call notes'), sees_org),
%                         ('/panel', _('Operator panel'), queues or get('ami_panel', False)),
%                         ('/dialer', _('Dialer'), queues or get('ami_panel', False)),
%                         ('/callcentre/agent', _('My queue calls'), queues and user.role in ('operator', 'staff'))]),
%           (_('Reports'), [('/reports', _('Reports'), True), ('/central/calls', _('Branch calls'), central),
%                           ('/schedules', _('Schedules'), box)]),
%           (_('Billing'), [('/bill', _('Bill'), True), ('/charges', _('Charges and periods'), admin), ('/tariffs', _('Tariffs'), admin), ('/pricelists', _('Price lists'), admin),
%                           ('/customers', _('Customers'), box), ('/messages', _('Messages'), box), ('/shop', _('Cashier'), cashier)]),
%           (_('Organisation'), [('/directory', _('Organisation'), sees_org), ('/users', _('Users'), box),
%                                ('/central/branches', _('Branch boxes'), box and central)]),
%           (_('Settings'), [('/setup', _('Setup'), admin), ('/alerts', _('Alerts'), admin), ('/outbox', _('Outbox'), box), ('/settings', _('Check settings'), box)])]
% here = get('nav') or {'Tariffs': '/tariffs'}.get(get('title'), '')
    <a href="/"{{!' aria-current="page"' if here == '/' else ''}}>{{_('Home')}}</a>
% for label, entries in groups:
%   shown = [(href, text) for href, text, ok in entries if ok]
%   if len(shown) == 1:
    <a href="{{shown[0][0]}}"{{!' aria-current="page"' if here == shown[0][0] else ''}}>{{shown[0][1]}}</a>
%   elif shown:
    <details name="nav" class="group{{' here' if here in [h for h, _t in shown] else ''}}"><summary>{{label}}</summary>
      <span class="menu">
%     for href, text in shown:
        <a href="{{href}}"{{!' aria-current="page"' if here == href else ''}}>{{text}}</a>
%     end
      </span>
    </details>
%   end
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
% if get('refresh'):
<p class="refresh"><button type="button" id="refresh-toggle" hidden data-refresh="{{refresh}}"
  data-pause="{{_('Pause the automatic refresh')}}" data-resume="{{_('Resume the automatic refresh')}}"></button></p>
% end
{{!base}}
</main>
</body>
</html>
