% # Report schedules (administrators of the whole box): the list with next/last run and a remove button each, and
% # the form to add one (the same checks as `callbox schedule add`). Values escaped by {{ }}.
% rebase('base.tpl', title=_('Schedules'), nav='/schedules', refresh=None)
<h1>{{_('Schedules')}}</h1>
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
  <p class="muted small">{{_('A schedule runs a saved report or template at set times (PBX local time) and sends it as PDF and/or CSV. Each recipient gets only the calls they may see.')}}</p>
% if not rows:
  <p class="muted">{{_('No schedule yet.')}}</p>
% else:
  <div class="scroll" tabindex="0"><table class="schedules">
    <thead><tr><th>#</th><th>{{_('Name')}}</th><th>{{_('When')}}</th><th>{{_('Report')}}</th><th>{{_('Range')}}</th>
      <th>{{_('Formats')}}</th><th>{{_('Recipients')}}</th><th>{{_('Upload')}}</th><th>{{_('Next run')}}</th>
      <th>{{_('Last run')}}</th><th></th></tr></thead>
    <tbody>
% for r in rows:
      <tr{{!'' if r['enabled'] else ' class="muted"'}}><td class="num">{{r['id']}}</td><td>{{r['name']}}</td><td><code>{{r['rule']}}</code></td>
        <td>{{r['report'] or _('(deleted report {id})').format(id=r['report_id'])}}</td><td>{{range_label(r['range']) if r['range'] else _('the report\'s own')}}</td>
        <td>{{r['formats']}}</td><td>{{', '.join(r['recipients']) or '–'}}</td><td>{{r['upload'] or '–'}}</td>
        <td class="num">{{r['next'] or (_('disabled') if not r['enabled'] else _('never'))}}</td>
% status, why = r['delivery']
        <td class="last-run">{{r['last']}} {{delivery(status) if status else outcome(r['outcome'])}}{{' (' + why + ')' if why else ''}}{{' · ' + _('sending…') if r['requested'] else ''}}</td>
        <td><form method="post" action="/schedules/run" class="inline">
          <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="id" value="{{r['id']}}">
          <button type="submit">{{_('Send now')}}</button></form>
        <form method="post" action="/schedules/remove" class="inline">
          <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="id" value="{{r['id']}}">
          <button type="submit">{{_('Remove')}}</button></form></td></tr>
% end
    </tbody>
  </table></div>
% end
  <h2>{{_('Add a schedule')}}</h2>
% if not reports:
  <p class="muted">{{_('Save a report on the Reports page first: a schedule sends a saved report or template.')}}</p>
% end
  <form method="post" action="/schedules/add" class="form search" id="schedule-add">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <label>{{_('Name')}} <input name="name" size="18" value="{{form.get('name', '')}}" required></label>
    <label>{{_('When')}} <input name="when" size="18" value="{{form.get('when', '')}}" placeholder="weekly mon 07:00" required></label>
    <label>{{_('Report')}} <select name="report">
% for rep in reports:
      <option value="{{rep['id']}}"{{!' selected' if form.get('report') == str(rep['id']) else ''}}>{{rep['name']}}{{' (' + _('template') + ')' if rep['template'] else ''}}</option>
% end
    </select></label>
    <label>{{_('Range')}} <select name="range">
      <option value="">{{_('the report\'s own')}}</option>
% for v in ranges:
      <option value="{{v}}"{{!' selected' if form.get('range') == v else ''}}>{{range_label(v)}}</option>
% end
    </select></label>
    <fieldset class="formats"><legend>{{_('Formats')}}</legend>
% for f in formats:
      <label class="check"><input type="checkbox" name="formats" value="{{f}}"{{!' checked' if f in form.get('formats', []) else ''}}> {{f.upper()}}</label>
% end
    </fieldset>
    <label>{{_('Recipients, one per line')}} <textarea name="recipients" rows="3" cols="28" placeholder="user:ayse&#10;user:admin=boss@example.com&#10;person:P12">{{form.get('recipients', '')}}</textarea></label>
    <label>{{_('Upload to')}} <select name="upload">
      <option value="">{{_('no upload')}}</option>
% for t in targets:
      <option value="{{t}}"{{!' selected' if form.get('upload') == t else ''}}>{{t}}</option>
% end
    </select></label>
    <label>{{_('Upload file name')}} <input name="upload_name" size="20" value="{{form.get('upload_name', '')}}" placeholder="{report}_{period}.{ext}"></label>
    <label>{{_('Upload as user')}} <input name="upload_as" size="12" value="{{form.get('upload_as', '')}}"></label>
    <label>{{_('Branch')}} <input name="branch" size="12" value="{{form.get('branch', '')}}"></label>
    <button type="submit">{{_('Add')}}</button>
  </form>
  <p class="muted small">{{_('When: "daily 07:00", "weekly mon 07:00", "monthly 1 06:00" or "cron MIN HOUR DAY MONTH WEEKDAY". Recipients: user:NAME (their e-mail from the directory), user:NAME=ADDRESS, or person:ID. Without "upload as", an upload holds every call of the box.')}}</p>
</section>
% end
