% # One branch box on its central (APP-1): its people, departments and tariff versions as it last sent them.
% rebase('base.tpl', title=_('Branch box {name}').format(name=box['label'] if box else box_name), nav='/central/branches', refresh=None)
% from datetime import datetime, timezone
% def received(doc):
%   return datetime.strptime(doc['received'], '%Y-%m-%dT%H:%M:%SZ').strftime('%Y-%m-%d %H:%M:%S')
% end
<h1>{{_('Branch box {name}').format(name=box['label'] if box else box_name)}}</h1>
% if problem:
<p class="banner warn">{{problem}}</p>
% else:
<p>
%   if health:
<a href="/central/branches">{{_('Branch boxes')}}</a> ·
%   end
<a href="/central/calls?branch={{box_name}}">{{_('Calls')}}</a></p>
<h2>{{_('Staff directory')}}</h2>
%   if not directory['received']:
<p class="muted" id="no-directory">{{_('This branch box has not sent it yet.')}}</p>
%   else:
<p class="muted">{{_('As the branch box last sent it: {time} UTC.').format(time=received(directory))}}</p>
<div class="scroll" tabindex="0"><table id="branch-departments">
  <thead><tr><th>{{_('Department')}}</th><th>{{_('People')}}</th></tr></thead>
  <tbody>
%     for d in directory['departments']:
    <tr><td>{{d['name']}}</td><td class="num">{{fmt_number(d['people'])}}</td></tr>
%     end
  </tbody>
</table></div>
<div class="scroll" tabindex="0"><table id="branch-people">
  <thead><tr><th>{{_('Person')}}</th><th>{{_('Id')}}</th><th>{{_('Department')}}</th><th>{{_('Branch')}}</th><th>{{_('Extensions')}}</th><th>{{_('Left on')}}</th></tr></thead>
  <tbody>
%     for p in directory['people']:
    <tr data-person="{{p['external_id']}}"><td>{{p['name']}}</td><td>{{p['external_id']}}</td><td>{{p['department']}}</td><td>{{p['branch']}}</td>
      <td>{{' '.join(p['extensions'])}}</td><td>{{(p['ended'] or '')[:10]}}</td></tr>
%     end
  </tbody>
</table></div>
%   end
<h2>{{_('Tariffs')}}</h2>
%   if not tariffs['received']:
<p class="muted" id="no-tariffs">{{_('This branch box has not sent it yet.')}}</p>
%   else:
<p class="muted">{{_('As the branch box last sent it: {time} UTC.').format(time=received(tariffs))}}</p>
<div class="scroll" tabindex="0"><table id="branch-tariffs">
  <thead><tr><th>{{_('Tariffs')}}</th><th>{{_('Valid from')}}</th><th>{{_('Currency')}}</th><th>{{_('Destinations')}}</th><th>{{_('Rates')}}</th></tr></thead>
  <tbody>
%     for v in tariffs['versions']:
    <tr><td>{{v['provider']}} / {{v['plan']}}</td><td>{{v['valid_from']}}</td><td>{{v['currency']}}</td>
      <td class="num">{{fmt_number(v['destinations'])}}</td><td class="num">{{fmt_number(v['rates'])}}</td></tr>
%     end
  </tbody>
</table></div>
%   end
% end
