% # Alerts (administrators): raised conditions (whole-box administrators), threshold notices, the threshold rules
% # with a form to add one and a button to remove each. Values escaped by {{ }}.
% rebase('base.tpl', title=_('Alerts'), nav='/alerts', refresh=None)
<h1>{{_('Alerts')}}</h1>
% if done:
<p class="banner ok">{{done}}</p>
% end
% if error:
<p class="banner warn">{{error}}</p>
% end
% for w in warnings:
<p class="banner warn not-configured">{{w}}</p>
% end
% if not ready:
<p class="muted">{{_('No database yet: the worker creates it.')}}</p>
% else:
<section>
  <h2>{{_('Raised now')}}</h2>
% if raised is None:
  <p class="muted">{{_('The box\'s conditions (PBX links, data flow, journal, database) are shown to administrators who see every call of the box.')}}</p>
% elif not raised:
  <p class="banner ok">{{_('No alert is raised.')}}</p>
% else:
  <div class="scroll" tabindex="0"><table class="raised">
    <thead><tr><th>{{_('Condition')}}</th><th>{{_('Since (UTC)')}}</th><th>{{_('Details')}}</th><th>{{_('Value')}}</th></tr></thead>
    <tbody>
% for r in raised:
      <tr class="down"><td><code>{{r['key']}}</code></td><td class="num">{{utc_text(r['since_utc'])}}</td><td>{{detail_text(r)}}</td><td class="num">{{r['value']}}</td></tr>
% end
    </tbody>
  </table></div>
% end
</section>

% if raised is not None:
<p class="small"><a href="/alerts/codes">{{_('PBX cause codes')}} →</a></p>
% end

% if stuck is not None:
<section>
  <h2>{{_('Lines that failed to release')}}</h2>
  <p class="muted small">{{_('Calls of the last 30 days priced shorter than the PBX printed them: over their trunk\'s cap, or still up when the next call on their analogue trunk began ([rating] trunk_caps, max_call_min, analogue_trunks).')}}</p>
% if not stuck:
  <p class="banner ok">{{_('No such call.')}}</p>
% else:
  <div class="scroll" tabindex="0"><table class="stuck">
    <thead><tr><th>{{_('Start')}}</th><th>{{_('Trunk')}}</th><th>{{_('Extension')}}</th><th>{{_('Number')}}</th><th>{{_('Talk time printed')}}</th><th>{{_('Talk time priced')}}</th><th>{{_('Why')}}</th><th>{{_('Cost')}}</th></tr></thead>
    <tbody>
% for c in stuck:
      <tr><td class="num" title="{{c['start']}}">{{fmt_iso(c['start'])}}</td><td>{{c['trunk']}}</td><td>{{c['extension']}}</td><td>{{c['number']}}</td><td class="num">{{fmt_duration(c['talk_s'])}}</td><td class="num">{{fmt_duration(c['priced_s'])}}</td><td>{{_('over the trunk\'s cap') if c['reason'] == 'cap' else _('next call began on the line')}}</td><td class="num">{{c['cost'] or ''}} {{c['currency']}}</td></tr>
% end
    </tbody>
  </table></div>
% end
</section>
% end

<section>
  <h2>{{_('Threshold rules')}}</h2>
  <p class="muted small">{{_('A limit per person on the cost or talk time of their outgoing calls, per day or per calendar month (PBX local time). Whoever crosses it is e-mailed once per period.')}}</p>
% if not rules:
  <p class="muted">{{_('No threshold rule yet.')}}</p>
% else:
  <div class="scroll" tabindex="0"><table class="rules">
    <thead><tr><th>#</th><th>{{_('Tenant')}}</th><th>{{_('Who')}}</th><th>{{_('Measure')}}</th><th>{{_('Limit')}}</th>
      <th>{{_('Period')}}</th><th>{{_('Also e-mail')}}</th><th>{{_('Notices')}}</th><th></th></tr></thead>
    <tbody>
% for r in rules:
      <tr><td class="num">{{r['id']}}</td><td>{{r['tenant']}}</td><td>{{term(r['subject_kind'])}}: {{r['subject']}}</td>
        <td>{{term(r['measure'])}}</td><td class="num">{{limit_text(r)}}</td><td>{{term(r['period'])}}</td>
        <td>{{', '.join(([_('department manager')] if r['notify_manager'] else []) + ([r['cc']] if r['cc'] else []))}}</td>
        <td class="num">{{r['notices']}}</td>
        <td><form method="post" action="/alerts/remove" class="inline">
          <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="id" value="{{r['id']}}">
          <button type="submit">{{_('Remove')}}</button></form></td></tr>
% end
    </tbody>
  </table></div>
% end
  <h2>{{_('Add a rule')}}</h2>
  <form method="post" action="/alerts/add" class="form search" id="alert-add">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
% if len(tenants) > 1:
    <label>{{_('Tenant')}} <select name="tenant">
% for code in tenants:
      <option value="{{code}}"{{!' selected' if form.get('tenant') == code else ''}}>{{code}}</option>
% end
    </select></label>
% else:
    <input type="hidden" name="tenant" value="{{form.get('tenant', '')}}">
% end
    <label>{{_('For each')}} <select name="subject_kind">
% for v in ('person', 'department', 'role'):
      <option value="{{v}}"{{!' selected' if form.get('subject_kind') == v else ''}}>{{term(v)}}</option>
% end
    </select></label>
    <label>{{_('Person id, department or role')}} <input name="subject" size="14" value="{{form.get('subject', '')}}" required></label>
    <label>{{_('Measure')}} <select name="measure">
% for v in ('cost', 'duration'):
      <option value="{{v}}"{{!' selected' if form.get('measure') == v else ''}}>{{term(v)}}</option>
% end
    </select></label>
    <label>{{_('Limit')}} <input name="limit" size="8" value="{{form.get('limit', '')}}" placeholder="150.00 / 90m" required></label>
    <label>{{_('Period')}} <select name="period">
% for v in ('day', 'month'):
      <option value="{{v}}"{{!' selected' if form.get('period', 'month') == v else ''}}>{{term(v)}}</option>
% end
    </select></label>
    <label>{{_('Also e-mail (comma-separated)')}} <input name="cc" size="18" value="{{form.get('cc', '')}}"></label>
    <label class="check"><span><input type="checkbox" name="notify_manager" value="1"{{!' checked' if form.get('notify_manager') == '1' else ''}}> {{_('the department manager')}}</span></label>
    <button type="submit">{{_('Add')}}</button>
  </form>
</section>

<section>
  <h2>{{_('Threshold notices')}}</h2>
% if not notices:
  <p class="muted">{{_('No threshold has been crossed yet.')}}</p>
% else:
  <div class="scroll" tabindex="0"><table class="notices">
    <thead><tr><th>{{_('Rule')}}</th><th>{{_('Person')}}</th><th>{{_('Period')}}</th><th>{{_('Value')}}</th><th>{{_('Sent to')}}</th><th>{{_('When (UTC)')}}</th></tr></thead>
    <tbody>
% for n in notices:
      <tr><td class="num">{{n['rule']}}</td><td>{{n['person']}}</td><td>{{n['period']}}</td><td class="num">{{fmt_number(n['value'])}}</td>
        <td>{{n['recipients'] or '–'}}</td><td class="num">{{utc_text(n['at_utc'])}}</td></tr>
% end
    </tbody>
  </table></div>
% end
</section>
% end
