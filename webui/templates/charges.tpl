% # A tenant's billing settings (webui.admin.charges): the provider comparison of a month, allowances and line
% # charges (lists, CSV uploads, a month's shares) and billed periods. Every value is escaped by {{ }}.
% rebase('base.tpl', title=_('Charges and periods'), nav='/charges', refresh=None)
<h1>{{_('Charges and periods')}}</h1>
% if error:
<p class="banner warn" role="alert">{{error}}</p>
% elif done:
<p class="banner ok" role="status">{{done}}</p>
% end
% if not ready:
<p class="muted">{{_('No database yet: the worker creates it.')}}</p>
% else:
% f = figures
<form method="get" action="/charges" class="form search" id="charges-form">
% if len(tenants) > 1:
  <label>{{_('Tenant')}} <select name="tenant">
% for t in tenants:
    <option value="{{t.code}}"{{!' selected' if t.code == code else ''}}>{{t.name}}</option>
% end
  </select></label>
% else:
  <input type="hidden" name="tenant" value="{{code}}">
% end
  <label>{{_('Month')}} <input type="month" name="period" value="{{period}}" required pattern="\d{4}-\d{2}" placeholder="2025-12" title="2025-12"></label>
  <button type="submit">{{_('Show')}}</button>
</form>

<section id="compare">
  <h2>{{_('Provider comparison')}}</h2>
  <p class="muted small">{{_("The month's outgoing calls priced under every stored tariff plan.")}}</p>
% if f.get('compare'):
% s = tables['compare']
  <div class="scroll" tabindex="0"><table id="compare-table">
% include('sort_head.tpl', s=s)
    <tbody>
% for r in s.rows:
      <tr><td>{{r.plan}}</td><td class="num">{{fmt_money(r.total, r.currency)}}</td><td class="num">{{fmt_number(r.calls)}}</td>
        <td class="num">{{fmt_number(r.unrated)}}</td>
        <td class="small">{{', '.join(kind_label(k) + ' ' + fmt_money(v, r.currency) for k, v in r.per_class.items())}}</td></tr>
% end
    </tbody>
  </table></div>
% include('sort_top.tpl', s=s)
% else:
  <p class="muted">{{_('No tariff plan stored, or no outgoing call in the month.')}}</p>
% end
</section>

<section id="line-charges">
  <h2>{{_('Line charges')}}</h2>
% if f.get('shares'):
% for d, s in zip(f['shares'], tables['shares']):
  <h3>{{d.charge.trunk}} {{d.charge.description}}: {{fmt_money(d.charge.amount, d.charge.currency)}} ({{basis_label(d.charge.basis)}})</h3>
  <div class="scroll" tabindex="0"><table class="compact" id="{{s.name}}">
% include('sort_head.tpl', s=s)
    <tbody>
% for who, share in s.rows:
      <tr><td>{{who}}</td><td class="num">{{fmt_money(share, d.charge.currency)}}</td></tr>
% end
    </tbody>
  </table></div>
% include('sort_top.tpl', s=s)
% end
% else:
  <p class="muted">{{_('No line charge in force in the month.')}}</p>
% end
  <form method="post" action="/charges/linecharges" enctype="multipart/form-data" class="form">
    <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="tenant" value="{{code}}"><input type="hidden" name="period" value="{{period}}">
    <p><label>{{_('Line charges CSV')}} <input type="file" name="file" accept=".csv,text/csv" required></label> <button type="submit">{{_('Upload')}}</button></p>
  </form>
  <p class="muted small">{{_('Columns trunk, amount (per month), currency, basis (cost or duration), valid_from and valid_to (YYYY-MM, optional), description; UTF-8. An upload replaces the tenant\'s whole list; a file with a bad row is refused whole.')}}</p>
</section>

<section id="allowances">
  <h2>{{_('Allowances')}}</h2>
% if f.get('allowances'):
% s = tables['allowances']
  <div class="scroll" tabindex="0"><table id="allowances-table">
% include('sort_head.tpl', s=s)
    <tbody>
% for a in s.rows:
      <tr><td>{{a.subscriber}}</td><td>{{a.name}}</td><td class="num">{{fmt_number(a.amount)}} {{unit_label(a.unit)}}</td><td>{{_('every call') if a.match == '*' else a.match}}</td>
        <td>{{_('month') if a.period == 'month' else _('week')}}</td><td class="num">{{fmt_day(a.valid_from) if a.valid_from else '–'}}</td><td class="num">{{fmt_day(a.valid_to) if a.valid_to else '–'}}</td></tr>
% end
    </tbody>
  </table></div>
% include('sort_top.tpl', s=s)
% else:
  <p class="muted">{{_('No allowance stored.')}}</p>
% end
  <form method="post" action="/charges/allowances" enctype="multipart/form-data" class="form">
    <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="tenant" value="{{code}}"><input type="hidden" name="period" value="{{period}}">
    <p><label>{{_('Allowances CSV')}} <input type="file" name="file" accept=".csv,text/csv" required></label> <button type="submit">{{_('Upload')}}</button></p>
  </form>
  <p class="muted small">{{_('Columns subscriber (person_id, or ext:EXTENSION), name, unit (minutes, calls or money), amount, match (* for every call, class:KIND or destination:NAME), period (month or week), valid_from and valid_to (YYYY-MM-DD, optional); UTF-8. An upload replaces the tenant\'s whole list; a file with a bad row is refused whole.')}}</p>
</section>

<section id="billed-periods">
  <h2>{{_('Billed periods')}}</h2>
  <p class="muted small">{{_('The calls of a billed period keep their price when tariffs change.')}}</p>
% if f.get('periods'):
% s = tables['periods']
  <div class="scroll" tabindex="0"><table id="periods">
% include('sort_head.tpl', s=s, extra=[_('Reopen')])
    <tbody>
% for p in s.rows:
      <tr><td>{{p.label}}</td><td class="num">{{fmt_datetime(p.closed_at, offset_at(p.closed_at), 'short')}}</td><td>{{p.closed_by}}</td>
        <td><form method="post" action="/charges/reopen" class="inline"><input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="tenant" value="{{code}}"><input type="hidden" name="label" value="{{p.label}}"><button type="submit">{{_('Reopen')}}</button></form></td></tr>
% end
    </tbody>
  </table></div>
% include('sort_top.tpl', s=s)
% else:
  <p class="muted">{{_('No billed period.')}}</p>
% end
  <form method="post" action="/charges/close" class="form">
    <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="tenant" value="{{code}}">
    <p><label>{{_('Month')}} <input type="month" name="period" value="{{period}}" required pattern="\d{4}-\d{2}" placeholder="2025-12" title="2025-12"></label> <button type="submit">{{_('Mark as billed')}}</button></p>
  </form>
</section>
% end
