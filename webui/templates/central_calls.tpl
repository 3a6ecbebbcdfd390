% # A central's branch boxes' calls (APP-1): the search form (branch a filter) and one page, newest first.
% rebase('base.tpl', title=_('Branch calls'), nav='/central/calls', refresh=None)
% v = values
% from html import escape
% def opt(name, value, text):
%   return '<option value="%s"%s>%s</option>' % (escape(value), ' selected' if v[name] == value else '', escape(text))
% end
<h1>{{_('Branch calls')}}</h1>
<p class="muted">{{_('The calls this central received from its branch boxes, with the price and attribution each branch gave them.')}}</p>
<form method="get" action="/central/calls" class="form search">
  <label>{{label['since']}} <input name="since" type="date" value="{{v['since']}}"></label>
  <label>{{label['until']}} <input name="until" type="date" value="{{v['until']}}"></label>
  <label>{{label['branch']}} <select name="branch" id="branch">
    {{!opt('branch', '', _('every branch'))}}
% for name in names:
    {{!opt('branch', name, labels.get(name, name))}}
% end
  </select></label>
  <label>{{label['extension']}} <input name="extension" size="6" value="{{v['extension']}}"></label>
  <label>{{label['number']}} <input name="number" size="14" value="{{v['number']}}"></label>
  <label>{{label['direction']}} <select name="direction">
    {{!opt('direction', '', _('any'))}}
% for d in ('in', 'out', 'internal'):
    {{!opt('direction', d, term(d))}}
% end
  </select></label>
  <button type="submit">{{_('Search')}}</button> <a href="/central/calls" class="small">{{_('clear')}}</a>
</form>
% if box_pages:
<p class="small" id="box-pages">{{_('Staff directory')}}:
%   for name in box_pages:
  <a href="/central/branches/{{name}}">{{labels.get(name, name)}}</a>
%   end
</p>
% end
% if error:
<p class="banner warn">{{error}}</p>
% elif page is None:
<p class="muted">{{_('No database yet: the worker creates it.')}}</p>
% elif not page.rows:
<p class="muted">{{_('No call matches.')}}</p>
% else:
<div class="scroll" tabindex="0"><table id="branch-calls">
  <thead><tr><th>{{_('Branch box')}}</th><th>{{_('Start')}}</th><th>{{_('Direction')}}</th><th>{{_('Extension')}}</th><th>{{_('Person')}}</th>
    <th>{{_('Department')}}</th><th>{{_('Party')}}</th><th>{{_('Talk')}}</th><th>{{_('Answered')}}</th><th>{{_('Cost')}}</th></tr></thead>
  <tbody>
% for c in page.rows:
    <tr><td data-box="{{c['branch']}}">{{labels.get(c['branch'], c['branch'])}}</td><td class="num"><a href="/central/calls/{{c['branch']}}/{{c['rid']}}">{{c['start']}}</a></td><td>{{direction_text(c['direction'], c['party'], c['trunk'], c['driver'])}}</td><td>{{c['extension']}}</td>
      <td>{{c['person']}}</td><td>{{c['department']}}</td><td>{{c['party']}}</td><td class="num">{{fmt_duration(c['talk_s'])}}</td>
      <td>{{term('yes' if c['answered'] else 'no')}}</td><td class="num">{{fmt_money(c['cost'], c['currency']) if c['cost'] else ''}}</td></tr>
% end
  </tbody>
</table></div>
<nav class="pages">
% if page.number > 1:
  <a href="{{link(page.number - 1)}}" rel="prev">← {{_('Newer')}}</a>
% end
% if page.more:
  <a href="{{link(page.number + 1)}}" rel="next">{{_('Older')}} →</a>
% end
</nav>
% end
