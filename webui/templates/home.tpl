% # The home page: this month's calls in the user's scope, the box's status for whoever sees all of it, and
% # the last calls the user may see. Every value is escaped by {{ }}; PBX data may contain markup.
% rebase('base.tpl', title=_('Home'), nav='/', refresh=refresh)
% t = totals
<h1>{{_('Home')}}</h1>
% if whole_box and health and not health.db_ok:
<p class="banner down" id="db-damaged">{{_('The database is damaged or unreadable: {error}. Run `callbox db check`; `callbox db rebuild` recovers the calls from the journal.').format(error=health.db_error)}}</p>
% end

<section>
  <h2>{{(_('Your calls in {month}') if user.scope == 'own' else _('Calls in {month}')).format(month=fmt_month(year, month))}}</h2>
  <dl class="cards">
    <div><dt>{{_('Calls')}}</dt><dd>{{fmt_number(t.calls)}}</dd></div>
    <div><dt>{{_('Outgoing')}}</dt><dd>{{fmt_number(t.by_direction.get('out', 0))}}</dd></div>
    <div><dt>{{_('Incoming')}}</dt><dd>{{fmt_number(t.by_direction.get('in', 0))}}</dd></div>
    <div><dt>{{_('Internal')}}</dt><dd>{{fmt_number(t.by_direction.get('internal', 0))}}</dd></div>
% if t.by_direction.get('voicemail'):
    <div id="to-voicemail"><dt>{{_('Voicemail')}}</dt><dd>{{fmt_number(t.by_direction['voicemail'])}}</dd></div>
% end
% if t.by_direction.get('to_name'):
    <div id="to-name"><dt>{{_('To a name')}}</dt><dd>{{fmt_number(t.by_direction['to_name'])}}</dd></div>
% end
    <div><dt>{{_('Not answered')}}</dt><dd>{{fmt_number(t.missed)}}</dd></div>
    <div><dt>{{_('Talk time')}}</dt><dd>{{hms(t.talk_s)}}</dd></div>
    <div><dt>{{_('Cost')}}</dt><dd>{{' · '.join(fmt_money(v, cur) for cur, v in sorted(t.cost.items())) or fmt_money(0, '')}}</dd></div>
  </dl>
% o = get('overview')
% if o is not None and o.last is not None:
  <p class="muted small">{{ngettext('{month}: {calls} call, {talk} talk, cost {cost}', '{month}: {calls} calls, {talk} talk, cost {cost}', o.last.calls).format(month=fmt_month(o.last_year, o.last_month), calls=fmt_number(o.last.calls), talk=hms(o.last.talk_s), cost=' · '.join(fmt_money(v, cur) for cur, v in sorted(o.last.cost.items())) or fmt_money(0, ''))}}</p>
% end
  <p class="small"><a href="/calls">{{_('Search calls')}} →</a></p>
</section>

% if callers is not None:
% s = callers
<section class="overview" id="not-called-back">
  <h2>{{_('Missed calls not called back (last 7 days)')}}</h2>
  <div class="scroll" tabindex="0"><table id="callers">
% include('sort_head.tpl', s=s)
    <tbody>
% for c in s.rows:
      <tr><td class="num"><a href="/calls/{{c.id}}">{{fmt_datetime(c.start_utc, c.utc_offset)}}</a></td><td>{{!party_html(c.party)}}</td>
        <td>{{!extension_html(c.extension)}}</td><td class="num">{{hms(c.ring_s)}}</td></tr>
% end
    </tbody>
  </table></div>
% include('sort_top.tpl', s=s)
</section>
% end

% if o is not None and (o.people or o.destinations or o.hours):
<section class="overview">
  <h2>{{_('This month at a glance')}}</h2>
  <div class="cards wide">
% for title, dim, s in boxes:
    <div><h3>{{title}}</h3>
      <table class="compact" id="{{s.name}}">
% include('sort_head.tpl', s=s)
      <tbody>
% for value, n_calls, cost, cur in s.rows:
        <tr><td>{{rp_dim(dim, value)}}</td><td class="num">{{fmt_number(n_calls)}}</td><td class="num">{{fmt_money(cost, cur) if cost is not None else '–'}}</td></tr>
% end
      </tbody></table>
% include('sort_top.tpl', s=s)
    </div>
% end
  </div>
% if hours is not None:
  <h3>{{_('Calls per hour this month')}}</h3>
% include('report_chart.tpl', chart=hours)
% end
</section>
% end

% if whole_box:
% include('status.tpl')
% end

<section>
  <h2>{{_('Last calls')}}</h2>
% if calls:
  <div class="scroll" tabindex="0"><table id="last">
% include('sort_head.tpl', s=last)
    <tbody>
% for c in last.rows:
      <tr><td class="num" title="{{c['start']}}">{{fmt_iso(c['start'])}}</td><td>{{direction_text(c['direction'], c['party'], c['trunk'], c.get('driver'))}}</td><td>{{!extension_html(c['extension'])}}</td>
        <td>{{!party_html(c['party'])}}</td><td>{{c['trunk']}}</td><td class="num">{{hms(c['ring_s'])}}</td>
        <td class="num">{{hms(c['talk_s'])}}</td><td>{{term('yes' if c['answered'] else 'no')}}</td>
        <td>{{term('yes' if c['transferred'] else 'no')}}</td><td class="num">{{fmt_money(c['cost'], c['currency'])}}</td>
        <td class="num"><a href="/calls/{{c['id']}}" title="{{_("The call's path")}}">{{c['legs']}}</a></td></tr>
% end
    </tbody>
  </table></div>
% else:
  <p class="muted">{{_('No calls stored yet.')}}</p>
% end
</section>

<p class="muted small">{{_('Updated {time} · refreshes every {n} s').format(time=updated, n=refresh)}}</p>
