% # A branch box's call on its central (webui/central.py call): the call as the box last sent it, its legs, cost and
% # attribution (as of the call, on the box).
% rebase('base.tpl', title=_('Call'), nav='/central/calls', refresh=None)
<p class="small"><a href="/central/calls">← {{_('Branch calls')}}</a></p>
% if problem:
<p class="banner warn">{{problem}}</p>
% else:
% c = call
<h1>{{_('Call of {time}').format(time=fmt_datetime(c['start_utc'], c['utc_offset'], 'full'))}}</h1>
<dl class="cards" id="branch-call" data-box="{{c['branch']}}">
  <div><dt>{{_('Branch box')}}</dt><dd><a href="/central/branches/{{c['branch']}}">{{labels.get(c['branch'], c['branch'])}}</a></dd></div>
  <div><dt>{{_('Direction')}}</dt><dd>{{direction_text(c['direction'], c['party'], c['trunk'], c['driver'])}}</dd></div>
  <div><dt>{{_('Extension')}}</dt><dd>{{c['extension'] or '–'}}</dd></div>
  <div><dt>{{_('Person')}}</dt><dd class="small">{{c['person'] or '–'}}</dd></div>
  <div><dt>{{_('Department')}}</dt><dd class="small">{{c['department'] or '–'}}</dd></div>
  <div><dt>{{_('Branch')}}</dt><dd class="small">{{c['org_branch'] or '–'}}</dd></div>
  <div><dt>{{_('Party')}}</dt><dd class="small">{{c['party'] or '–'}}</dd></div>
  <div><dt>{{_('Number')}}</dt><dd class="small">{{c['number'] or '–'}}</dd></div>
  <div><dt>{{_('Trunk')}}</dt><dd>{{c['trunk'] or '–'}}</dd></div>
  <div><dt>{{_('Ring')}}</dt><dd>{{fmt_duration(c['ring_s'])}}</dd></div>
  <div><dt>{{_('Talk')}}</dt><dd>{{fmt_duration(c['talk_s'])}}</dd></div>
  <div><dt>{{_('Answered')}}</dt><dd>{{term('yes' if c['answered'] else 'no')}}</dd></div>
  <div><dt>{{_('Transferred')}}</dt><dd>{{term('yes' if c['transferred'] else 'no')}}</dd></div>
  <div><dt>{{_('Cost')}}</dt><dd id="branch-call-cost">{{fmt_money(c['cost'], c['currency']) if c['cost'] else '–'}}</dd></div>
  <div><dt>{{_('Destination')}}</dt><dd class="small">{{c['destination'] or '–'}}</dd></div>
  <div><dt>{{_('Tariff')}}</dt><dd class="small">{{c['tariff'] or '–'}}</dd></div>
  <div><dt>{{_('Account code')}}</dt><dd>{{c['account_code'] or '–'}}</dd></div>
</dl>
<h2>{{ngettext('Path: {n} leg', 'Path: {n} legs', len(c['legs'])).format(n=fmt_number(len(c['legs'])))}}</h2>
% if not c['legs']:
<p class="muted">{{_('The legs of this call are not stored.')}}</p>
% else:
<div class="scroll" tabindex="0"><table id="branch-call-legs">
  <thead><tr><th>#</th><th>{{_('After')}}</th><th>{{_('Direction')}}</th><th>{{_('Extension')}}</th><th>{{_('Party')}}</th>
    <th>{{_('Trunk')}}</th><th>{{_('Rang for')}}</th><th>{{_('Talked for')}}</th><th>{{_('Answered')}}</th><th>{{_('Transferred')}}</th><th>{{_('Journal')}}</th></tr></thead>
  <tbody>
% for i, leg in enumerate(c['legs'], 1):
    <tr><td class="num">{{i}}</td><td class="num">+{{fmt_duration(leg['offset_s'])}}</td><td>{{direction_text(leg.get('direction', ''), leg.get('party'), leg.get('trunk'), c['driver'])}}</td>
      <td>{{leg.get('extension', '')}}</td><td>{{leg.get('party', '')}}</td><td>{{leg.get('trunk', '')}}</td>
      <td class="num">{{fmt_duration(leg.get('ring_s') or 0)}}</td><td class="num">{{fmt_duration(leg.get('talk_s') or 0)}}</td>
      <td>{{term('yes' if leg.get('answered') else 'no')}}</td><td>{{term('yes' if leg.get('transferred') else 'no')}}</td>
      <td class="num">{{'%s:%s' % (leg.get('jseg', ''), leg.get('joff', ''))}}</td></tr>
% end
  </tbody>
</table></div>
% end
% end
