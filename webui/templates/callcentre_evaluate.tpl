% # Evaluate a queue call (webui/callcentre_evaluate.py, CC-5): the call, its earlier evaluations, the form.
% rebase('base.tpl', title=title, nav='/callcentre', refresh=None)
% from webui.auth import csrf_token
<h1>{{title}}</h1>
% include('callcentre_nav.tpl', here='')
% if done:
<p class="banner ok">{{_('Saved.')}}</p>
% end
% if error:
<p class="banner warn">{{error}}</p>
% end
<dl class="facts">
  <dt>{{_('Entered')}}</dt><dd>{{fmt_datetime(call['entered_utc'], call['offset'])}}</dd>
  <dt>{{_('Queue')}}</dt><dd>{{call['queue']}}</dd>
  <dt>{{_('Caller')}}</dt><dd>{{call['caller']}}</dd>
  <dt>{{_('Agent')}}</dt><dd>{{call['agent'] or '–'}}</dd>
  <dt>{{_('Wait')}}</dt><dd>{{fmt_duration(call['wait_s'])}}</dd>
  <dt>{{_('Talk')}}</dt><dd>{{fmt_duration(call['talk_s'])}}</dd>
</dl>
% if problem or not form:
<p class="banner warn">{{problem or _('No evaluation form: set [callcentre] evaluation_form (one criterion per line, CRITERION = POINTS).')}}</p>
% else:
<form method="post" action="/callcentre/evaluate/{{call['id']}}" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf_token()}}">
% for i, (name, most) in enumerate(form):
  <label>{{name}} <input name="c{{i}}" type="number" min="0" max="{{most}}" step="1" required value="{{values.get('scores', {}).get(name, '')}}"> / {{most}}</label>
% end
  <label>{{_('Note')}} <textarea name="note" rows="3" maxlength="2000">{{values.get('note', '')}}</textarea></label>
  <button type="submit">{{_('Save the evaluation')}}</button>
</form>
% end
% if call['before']:
<h2>{{_('Earlier evaluations')}}</h2>
<div class="scroll" tabindex="0"><table class="report">
  <thead><tr><th>{{_('When')}}</th><th>{{_('By')}}</th><th>{{_('Score')}}</th><th>{{_('Points')}}</th><th>{{_('Note')}}</th></tr></thead>
  <tbody>
% for e in call['before']:
  <tr><td>{{fmt_datetime(e['at_utc'], call['offset'])}}</td><td>{{e['evaluator']}}</td><td class="num">{{fmt_number(e['score_pct'], 1)}} %</td>
    <td>{{'; '.join('%s %s/%s' % (n, '–' if p is None else p, m) for n, p, m in e['scores'])}}</td><td>{{e['note']}}</td></tr>
% end
  </tbody>
</table></div>
% end
