% # The sell-price lists (webui/pricelists.py): the stored lists, one list's rows and markups, the rates, import/export.
% rebase('base.tpl', title=title, nav='/customers', refresh=None)
<h1>{{_('Price lists')}}</h1>
<p class="subnav"><a href="/customers">{{_('Customers')}}</a> <a href="/invoices">{{_('Invoices')}}</a> <a href="/pricelists" aria-current="page">{{_('Price lists')}}</a></p>
% if error:
<p class="banner warn" id="error">{{error}}</p>
% end
% if not stored:
<p class="muted">{{_('No price lists yet.')}}</p>
% else:
<nav class="tabs">
% for p in stored:
  <a href="/pricelists?list={{p['code']}}"{{!' aria-current="page"' if shown and shown[0] == p['code'] else ''}}>{{p['code']}} ({{p['rows']}}, {{p['currency']}})</a>
% end
</nav>
% end
% if shown:
<p><a href="/pricelists/export.csv?list={{shown[0]}}" id="export" download>{{_('Export as CSV')}}</a></p>
<div class="scroll" tabindex="0"><table id="rows">
  <thead><tr><th>{{_('Destination')}}</th><th>{{_('Prefix')}}</th><th>{{_('Buy price per minute')}}</th><th>{{_('Sell price per minute')}}</th><th>{{_('First period (s)')}}</th><th>{{_('Step (s)')}}</th><th>{{_('Connection fee')}}</th><th>{{_('Minimum charge')}}</th><th>{{_('Group')}}</th></tr></thead>
  <tbody>
% for r in shown[1]:
    <tr><td>{{r.destination}}</td><td>+{{r.prefix}}</td><td class="num">{{number(r.buy)}} {{r.buy_currency}}</td>
      <td class="num">{{_('by markup') if r.sell is None else number(r.sell)}} {{r.sell_currency}}</td><td class="num">{{r.first_s}}</td><td class="num">{{r.step_s}}</td>
      <td class="num">{{number(r.connection_fee)}}</td><td class="num">{{number(r.minimum)}}</td><td>{{r.group}}</td></tr>
% end
  </tbody>
</table></div>
% if rules:
<h2>{{_('Markup rules')}}</h2>
<ul>
% for m in rules:
  <li>{{m.group or _('(default)')}}: {{(number(m.percent) + ' %') if m.percent is not None else ('+' + number(m.fixed or 0))}} · {{_('at least')}} {{number(m.minimum)}}</li>
% end
</ul>
% end
% end
% if rates:
<h2>{{_('Exchange rates')}}</h2>
<ul id="rates">
% for r in rates:
  <li>1 {{r.base}} = {{number(r.rate)}} {{r.quote}} · {{fmt_day(r.valid_from)}}</li>
% end
</ul>
% end
% if may_import:
<h2>{{_('Import a price list CSV')}}</h2>
<form method="post" action="/pricelists/import" enctype="multipart/form-data" class="form" id="import">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label>{{_('File')}} <input type="file" name="file" accept=".csv,text/csv" required></label>
  <label>{{_('Currency of rows without one')}} <input name="currency" size="4" maxlength="3" placeholder="TRY"></label>
  <button type="submit" id="do-import">{{_('Import')}}</button>
</form>
<p class="muted small">{{_('Columns: destination, prefix, buy, sell, first_s, step_s; optional: list, buy_currency, sell_currency, connection_fee, minimum, group. A file with a bad row is refused whole; a list of the same code is replaced.')}}</p>
% else:
<p class="muted small">{{_('Price lists are shared by every tenant: only administrators of the whole box import them.')}}</p>
% end
