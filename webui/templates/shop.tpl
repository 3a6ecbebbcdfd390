% # The cashier page (webui/shop.py): booths, the open session's calls by booth, pay / unserved / unpaid.
% rebase('base.tpl', title=title, nav='/shop', refresh=30)
<h1>{{_('Cashier')}}</h1>
<p class="subnav"><a href="/shop" aria-current="page">{{_('Cashier')}}</a> <a href="/shop/sessions">{{_('Sessions')}}</a>
% if get('is_admin'):
  <a href="/shop/account">{{_('Provider account')}}</a>
% end
</p>
% if not shop.booths:
<p class="banner warn">{{_('No booths: list them in [shop] booths (EXTENSION = NAME, one per line).')}}</p>
% end
% if problem:
<p class="banner warn">{{_('Calls cannot be priced:')}} {{problem}}</p>
% end
% if session is None:
<p class="muted">{{_('No session is open.')}}</p>
<form method="post" action="/shop/open" class="inline">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <button type="submit" id="open-session">{{_('Open a session')}}</button>
</form>
% else:
<p>{{_('Session {id} of {operator}, open since {time}.').format(id=session.id, operator=session.operator, time=at(session.opened_utc))}}</p>
% end
<h2>{{_('Booths')}}</h2>
<p class="muted" id="booth-source">{{_('Live from the PBX.') if live_link else _('From the call records: a booth shows its call when the record arrives.')}}</p>
<div class="cards booths" id="booths" data-live="{{1 if live_link else 0}}">
% for ext, name in shop.booths.items():
% b = live.get(ext)
% who = b.in_use_by if b else ''
  <div class="booth {{states.get(ext, 'free')}}" data-booth="{{ext}}"><dl><dt>{{name}} ({{ext}})</dt><dd class="state">{{_(state_labels[states.get(ext, 'free')])}}</dd>
    <dd class="running">{{duration(b.running_s) if b and b.state == 'talking' else ''}}</dd><dd class="price">{{money(b.running_sell, b.currency) if b and b.state == 'talking' and b.running_sell is not None else ''}}</dd>
    <dd class="use">{{_('in use by {name}').format(name=who) if who else ''}}</dd>
    <dd class="left">{{_('deposit {deposit}, left {balance}').format(deposit=money(b.deposit, b.currency), balance=money(b.balance, b.currency)) if b and b.balance is not None else ''}}</dd>
    <dd class="alert">{{_(warnings[b.warning]) if b and b.warning else ''}}</dd></dl>
    <form method="post" action="/shop/booth" class="inline booth-mark">
      <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="booth" value="{{ext}}">
% if who:
      <button type="submit" name="action" value="free">{{_('Free and lock') if locking else _('Free')}}</button>
% else:
      <label>{{_('In use by')}} <input name="who" maxlength="80" size="10" required></label>
      <button type="submit" name="action" value="give">{{_('Unlock and give') if locking else _('Give')}}</button>
% end
    </form>
% if session is not None:
    <form method="post" action="/shop/deposit" class="inline booth-deposit">
      <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="booth" value="{{ext}}">
      <label>{{_('Deposit')}} <input name="amount" inputmode="decimal" size="6" required></label>
      <button type="submit">{{_('Take deposit')}}</button>
    </form>
% end
  </div>
% end
</div>
<script src="/static/shop.js"></script>
% if session is not None:
<form method="post" action="/shop/checkout" id="calls">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
% for ext, name in shop.booths.items():
% calls = by_booth.get(ext, [])
% if calls:
<h2>{{name}}</h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th></th><th>#</th><th>{{_('Start')}}</th><th>{{_('Number')}}</th><th>{{_('Destination')}}</th><th>{{_('Talk')}}</th><th>{{_('Price')}}</th><th>{{_('Status')}}</th></tr></thead>
  <tbody>
% for c in calls:
    <tr class="{{c.status}}">
      <td>
% if c.status != 'paid' and c.sell is not None:
      <input type="checkbox" name="call" value="{{c.id}}" aria-label="{{_('Select call {id}').format(id=c.id)}}">
% end
      </td>
      <td class="num">{{c.id}}</td><td>{{when(c.start)}}</td><td>{{c.number}}</td><td>{{c.destination or c.problem}}</td>
      <td class="num">{{duration(c.talk_s)}}</td><td class="num">{{money(c.sell, c.currency)}}</td><td>{{_(statuses[c.status])}}</td>
    </tr>
% end
  </tbody>
</table></div>
% end
% end
% if not any(by_booth.values()):
<p class="muted">{{_('No booth call in this session yet.')}}</p>
% else:
<p><button type="submit" id="checkout">{{_('Pay selected calls…')}}</button>
  <button type="submit" formaction="/shop/status" name="status" value="unserved" id="unserved">{{_('Mark unserved')}}</button>
  <button type="submit" formaction="/shop/status" name="status" value="unpaid">{{_('Mark unpaid')}}</button></p>
% end
</form>
% if shop.items:
<form method="post" action="/shop/checkout" class="inline">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <button type="submit" id="sell-items">{{_('Sell items only…')}}</button>
</form>
% end
<form method="post" action="/shop/close" class="inline">
  <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="session" value="{{session.id}}">
  <button type="submit" id="close-session">{{_('Close the session')}}</button>
</form>
% end
