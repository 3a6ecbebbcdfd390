% # The shop's prepaid account with its provider (webui/shop.py, SHOP-4): top-ups, spent, balance, per day.
% rebase('base.tpl', title=title, nav='/shop', refresh=None)
<h1>{{_('Provider account')}}</h1>
<p class="subnav"><a href="/shop">{{_('Cashier')}}</a> <a href="/shop/sessions">{{_('Sessions')}}</a> <a href="/shop/account" aria-current="page">{{_('Provider account')}}</a></p>
% if not st['currency']:
<p class="muted">{{_('No top-up recorded yet (callbox shop topup AMOUNT).')}}</p>
% else:
% if low:
<p class="banner warn" id="low">{{_('The balance is below {amount}: top the account up.').format(amount=money(low_mark, st['currency']))}}</p>
% end
<dl class="cards report">
  <div><dt>{{_('Top-ups')}}</dt><dd id="topups">{{money(st['topups'], st['currency'])}}</dd></div>
  <div><dt>{{_('Spent')}}</dt><dd id="spent">{{money(st['spent'], st['currency'])}}</dd></div>
  <div><dt>{{_('Balance')}}</dt><dd id="balance">{{money(st['balance'], st['currency'])}}</dd></div>
  <div><dt>{{_('Calls')}}</dt><dd id="calls">{{st['calls']}}</dd></div>
</dl>
<div class="scroll"><table id="days">
  <thead><tr><th>{{_('Date')}}</th><th>{{_('Top-ups')}}</th><th>{{_('Spent')}}</th><th>{{_('Balance')}}</th></tr></thead>
  <tbody>
% for d in st['days']:
    <tr><td>{{d['date']}}</td><td class="num">{{money(d['topups'], st['currency'])}}</td><td class="num">{{money(d['spent'], st['currency'])}}</td><td class="num">{{money(d['balance'], st['currency'])}}</td></tr>
% end
  </tbody>
</table></div>
% if st['unpriced']:
<p class="banner warn">{{_('Calls without a buy price, not counted: {n}').format(n=len(st['unpriced']))}}</p>
% end
% end
