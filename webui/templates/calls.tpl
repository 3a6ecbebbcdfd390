% # Call search (REP-12): the form (every criterion optional) and one page of results, newest first.
% rebase('base.tpl', title=_('Calls'), nav='/calls', refresh=None)
% v = values
% from html import escape
% def opt(name, value, text):
%   return '<option value="%s"%s>%s</option>' % (escape(value), ' selected' if v[name] == value else '', escape(text))
% end
<h1>{{_('Calls')}}</h1>
% from bottle import request as _rq
% if _rq.app.config.get('callbox.central'):
<p class="muted" id="branch-calls-note">{{_("This box's own calls and its branch boxes' calls that you may see, the branch box a column and a filter; the branch boxes' calls alone:")}} <a href="/central/calls">{{_('Branch calls')}}</a></p>
% end
<form method="get" action="/calls" class="form search">
% if boxes:
  <label>{{_('Branch box')}} <select name="branch" id="call-branch">
    {{!opt('branch', '', _('this box and every branch box'))}}
% for b in boxes:
    {{!opt('branch', b, box_labels.get(b, b))}}
% end
  </select></label>
% end
  <label>{{label('since')}} <input name="since" type="date" value="{{v['since']}}"></label>
  <label>{{label('until')}} <input name="until" type="date" value="{{v['until']}}"></label>
  <label>{{label('extension')}} <input name="extension" size="6" value="{{v['extension']}}"></label>
  <label>{{label('person')}} <input name="person" size="14" value="{{v['person']}}" placeholder="{{_('name or id')}}"></label>
  <label>{{label('number')}} <input name="number" size="14" value="{{v['number']}}"></label>
  <label>{{label('number_match')}} <select name="number_match">
    {{!opt('number_match', 'prefix', _('starts with'))}}
    {{!opt('number_match', 'contains', _('contains'))}}
  </select></label>
  <label>{{label('direction')}} <select name="direction">
    {{!opt('direction', '', _('any'))}}
% for d in ('in', 'out', 'internal', 'system'):
    {{!opt('direction', d, term(d))}}
% end
  </select></label>
  <label>{{label('answered')}} <select name="answered">
    {{!opt('answered', '', _('any'))}}
    {{!opt('answered', 'yes', term('yes'))}}
    {{!opt('answered', 'no', term('no'))}}
  </select></label>
  <label>{{label('min_talk_s')}} <input name="min_talk_s" size="5" inputmode="numeric" value="{{v['min_talk_s']}}"></label>
  <label>{{label('max_talk_s')}} <input name="max_talk_s" size="5" inputmode="numeric" value="{{v['max_talk_s']}}"></label>
  <label>{{label('min_cost')}} <input name="min_cost" size="6" inputmode="decimal" value="{{v['min_cost']}}"></label>
  <label>{{label('max_cost')}} <input name="max_cost" size="6" inputmode="decimal" value="{{v['max_cost']}}"></label>
  <label>{{label('trunk')}} <input name="trunk" size="6" value="{{v['trunk']}}"></label>
  <label>{{label('account_code')}} <input name="account_code" size="8" value="{{v['account_code']}}"></label>
  <label>{{label('note')}} <input name="note" size="14" value="{{v['note']}}"></label>
  <button type="submit">{{_('Search')}}</button> <a href="/calls" class="small">{{_('clear')}}</a>
</form>
% if error:
<p class="banner warn">{{error}}</p>
% elif page is None:
<p class="muted">{{_('No calls stored yet.')}}</p>
% elif not page.calls:
<p class="muted">{{_('No call matches.')}}</p>
% else:
% if page.capped:
<p class="muted small">{{_('More than {total} calls: narrow the search · page {page} of {pages}').format(total=fmt_number(page.total), page=fmt_number(page.page), pages=fmt_number(page.pages))}}</p>
% else:
<p class="muted small">{{ngettext('{total} call · page {page} of {pages}', '{total} calls · page {page} of {pages}', page.total).format(total=fmt_number(page.total), page=fmt_number(page.page), pages=fmt_number(page.pages))}}</p>
% end
<p class="small"><a href="{{csv_link}}" download>{{_('Every matching call as CSV')}}</a></p>
<div class="scroll" tabindex="0"><table>
  <thead><tr>
% if boxes:
    <th>{{_('Branch box')}}</th>
% end
% for key, heading in (('start', _('Start')), ('direction', _('Direction')), ('extension', _('Extension')), ('', _('Person')), ('party', _('Party')), ('trunk', _('Trunk')), ('ring', _('Ring')), ('talk', _('Talk')), ('', _('Answered')), ('cost', _('Cost')), ('legs', _('Legs'))):
% if key:
%   mark = (' ▼' if desc else ' ▲') if key == sort else ''
    <th{{!' aria-sort="%s"' % ('descending' if desc else 'ascending') if mark else ''}}><a href="{{sort_links[key]}}" title="{{_('Sort by this column')}}">{{heading}}</a>{{mark}}</th>
% else:
    <th>{{heading}}</th>
% end
% end
  </tr></thead>
  <tbody>
% for c, att in zip(page.calls, page.attributions):
%   box = getattr(c, 'box', '')
    <tr{{!' data-box="%s"' % escape(box) if boxes else ''}}>
% if boxes:
      <td class="box">{{box_labels.get(box, box) if box else _('this box')}}</td>
% end
% if box:
      <td class="num"><a href="/central/calls/{{box}}/{{c.id}}">{{fmt_datetime(c.start_utc, c.utc_offset)}}</a></td><td>{{direction_text(c.direction, c.party, c.trunk, getattr(c, 'driver', ''))}}</td>
% else:
      <td class="num"><a href="/calls/{{c.id}}">{{fmt_datetime(c.start_utc, c.utc_offset)}}</a></td><td>{{direction_text(c.direction, c.party, c.trunk, getattr(c, 'driver', ''))}}</td>
% end
      <td>{{!extension_html(c.extension)}}</td><td>{{att.name if att else ''}}</td><td>{{!party_html(c.party)}}</td><td>{{c.trunk}}</td>
      <td class="num">{{fmt_duration(c.ring_s)}}</td><td class="num">{{fmt_duration(c.talk_s)}}</td>
      <td>{{term('yes' if c.answered else 'no')}}{{(' · ' + _('transferred')) if c.transferred else ''}}</td>
      <td class="num">{{fmt_money(c.cost, c.currency)}}</td><td class="num">{{c.legs}}</td></tr>
% end
  </tbody>
</table></div>
% if page.pages > 1:
<nav class="pages">
% if page.page > 1:
  <a href="{{link(page.page - 1)}}" rel="prev">← {{_('Newer')}}</a>
% end
% if page.page < page.pages:
  <a href="{{link(page.page + 1)}}" rel="next">{{_('Older')}} →</a>
% end
</nav>
% end
% end
