% # A person's bill (RAT-8): the picker (tenant, person, month), every call with its unit prices, subtotals per
% # class, allowances, line-charge shares and the total; the PDF link. Every value is escaped by {{ }}.
% rebase('base.tpl', title=_('Bill'), nav='/bill', refresh=None)
% c = choice
<h1>{{_('Bill')}}</h1>
% if not ready:
<p class="muted">{{_('No database yet: the worker creates it.')}}</p>
% else:
<form method="get" action="/bill" class="form search" id="bill-form">
% if c.branches:
  <label>{{_('Branch box')}} <select name="branch" id="bill-branch">
    <option value="">{{_('this box')}}</option>
% for box in c.branches:
    <option value="{{box}}"{{!' selected' if box == c.branch else ''}}>{{c.box_labels.get(box, box)}}</option>
% end
  </select></label>
% end
% if len(c.tenants) > 1 and not c.branch:
  <label>{{_('Tenant')}} <select name="tenant">
% for t in c.tenants:
    <option value="{{t.code}}"{{!' selected' if c.tenant and t.code == c.tenant.code else ''}}>{{t.name}}</option>
% end
  </select></label>
% end
  <label>{{_('Person')}} <select name="person">
% if not c.person:
    <option value="">{{_('choose…')}}</option>
% end
% for pid, name in c.people:
    <option value="{{pid}}"{{!' selected' if pid == c.person else ''}}>{{name}} ({{pid}})</option>
% end
% if c.branch and c.person and c.person not in [pid for pid, _n in c.people]:
    <option value="{{c.person}}" selected>{{c.person}}</option>
% end
  </select></label>
  <label>{{_('Month')}} <input name="period" type="month" value="{{c.period}}" required pattern="\d{4}-\d{2}" placeholder="2025-12" title="2025-12"></label>
  <button type="submit">{{_('Show')}}</button>
</form>
% if error:
<p class="banner warn">{{error}}</p>
% elif not c.people and c.branch and bill is None:
<p class="muted">{{_('No calls of this branch box in this month.')}}</p>
% elif not c.people and not c.branch:
<p class="muted">{{_('There is no person whose bill you may see.')}}</p>
% elif bill is None:
<p class="muted">{{_('Choose a person and a month.')}}</p>
% else:
% b = bill
% cur = b.currency
<section class="bill">
  <h2>{{b.name or b.subscriber}} · {{b.period.label}}{{' · ' + c.box_labels.get(b.branch, b.branch) if b.branch else ''}}
    <a class="button" href="{{pdf}}" download>{{_('PDF')}}</a></h2>
% if not b.lines:
  <p class="muted">{{_('No calls in this period.')}}</p>
% else:
% s = tables['calls']
  <div class="scroll" tabindex="0"><table class="bill-calls" id="calls">
% include('sort_head.tpl', s=s)
    <tbody>
% for line in s.rows:
% t = line.local_time
      <tr{{!' class="muted"' if line.note else ''}}><td class="num">{{fmt_datetime(int(t.timestamp()), int(t.utcoffset().total_seconds()))}}</td>
        <td>{{!extension_html(line.extension)}}</td><td>{{!party_html(line.number) or '–'}}</td><td>{{line.destination or (kind_label(line.kind) if line.kind else '–')}}</td>
        <td class="num">{{fmt_duration(line.talk_s)}}</td>
        <td class="small">{{details(line)}}</td>
        <td class="num">{{fmt_money(line.cost, cur)}}</td><td class="num">{{fmt_money(line.discount, cur) if line.discount else ''}}</td>
        <td class="num">{{fmt_money(line.amount, cur)}}</td></tr>
% end
    </tbody>
  </table></div>
% include('sort_top.tpl', s=s)
% end
% if b.subtotals:
% s = tables['classes']
  <h2>{{_('By class')}}</h2>
  <div class="scroll" tabindex="0"><table id="classes">
% include('sort_head.tpl', s=s)
    <tbody>
% for kind, sub in s.rows:
      <tr><td>{{kind_label(kind)}}</td><td class="num">{{fmt_number(sub['calls'])}}</td><td class="num">{{fmt_duration(sub['seconds'])}}</td>
        <td class="num">{{fmt_money(sub['cost'], cur)}}</td><td class="num">{{fmt_money(sub['discount'], cur)}}</td><td class="num">{{fmt_money(sub['amount'], cur)}}</td></tr>
% end
    </tbody>
  </table></div>
% include('sort_top.tpl', s=s)
% end
% if b.allowances:
% s = tables['uses']
  <h2>{{_('Allowances')}}</h2>
  <div class="scroll" tabindex="0"><table id="uses">
% include('sort_head.tpl', s=s)
    <tbody>
% for u in s.rows:
% unit = unit_label(u.allowance.unit)
      <tr><td>{{u.allowance.name}}</td><td>{{u.window}}</td><td class="num">{{fmt_number(u.used)}} {{unit}}</td>
        <td class="num">{{fmt_number(u.allowance.amount)}} {{unit}}</td><td class="num">{{fmt_number(u.remaining)}} {{unit}}</td></tr>
% end
    </tbody>
  </table></div>
% include('sort_top.tpl', s=s)
% end
% if b.line_charges:
% s = tables['charges']
  <h2>{{_('Line charges')}}</h2>
  <div class="scroll" tabindex="0"><table id="charges">
% include('sort_head.tpl', s=s)
    <tbody>
% for lc in s.rows:
      <tr><td>{{lc['trunk']}}</td><td>{{lc['description']}}</td><td>{{basis_label(lc['basis'])}}</td>
        <td class="num">{{fmt_money(lc['amount'], cur)}}</td><td class="num">{{fmt_money(lc['share'], cur)}}</td></tr>
% end
    </tbody>
  </table></div>
% include('sort_top.tpl', s=s)
% end
  <p class="bill-total">{{_('Total to pay')}}: <strong>{{fmt_money(b.total, cur)}}</strong></p>
</section>
% end
% end
