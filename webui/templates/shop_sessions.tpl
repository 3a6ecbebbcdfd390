% # The cashier sessions (webui/shop.py), newest first, with their closing figures.
% rebase('base.tpl', title=title, nav='/shop', refresh=None)
<h1>{{_('Sessions')}}</h1>
<p class="subnav"><a href="/shop">{{_('Cashier')}}</a> <a href="/shop/sessions" aria-current="page">{{_('Sessions')}}</a></p>
<nav class="tabs">
% for key, label in (('', _('All')), ('open', _('Open')), ('closed', _('Closed'))):
  <a href="/shop/sessions{{'?state=' + key if key else ''}}"{{!' aria-current="page"' if key == state else ''}}>{{label}}</a>
% end
</nav>
<form method="get" action="/shop/sessions" class="form search">
  <input type="hidden" name="state" value="{{state}}">
  <label>{{_('From')}} <input type="date" name="since" value="{{since}}"></label>
  <label>{{_('Until')}} <input type="date" name="until" value="{{until}}"></label>
  <button type="submit">{{_('Show')}}</button>
</form>
% if not rows:
<p class="muted">{{_('No sessions.')}}</p>
% else:
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>#</th><th>{{_('Cashier')}}</th><th>{{_('Opened')}}</th><th>{{_('Closed')}}</th><th>{{_('Calls')}}</th><th>{{_('Minutes')}}</th><th>{{_('Cash')}}</th><th>{{_('Unpaid')}}</th><th>{{_('Unserved')}}</th></tr></thead>
  <tbody>
% for s in rows:
    <tr><td class="num"><a href="/shop/sessions/{{s.id}}">{{s.id}}</a></td><td>{{s.operator}}</td><td>{{at(s.opened_utc)}}</td>
      <td>{{at(s.closed_utc) if s.closed_utc else _('open')}}</td><td class="num">{{'' if s.calls is None else s.calls}}</td>
      <td class="num">{{'' if s.minutes is None else number(s.minutes, 2)}}</td><td class="num">{{'' if s.cash is None else money(s.cash, s.currency)}}</td>
      <td class="num">{{'' if s.unpaid is None else s.unpaid}}</td><td class="num">{{'' if s.unserved is None else s.unserved}}</td></tr>
% end
  </tbody>
</table></div>
% end
