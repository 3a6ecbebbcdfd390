% # The call-centre reports (issue 15, CC-3), by group; each opens with today's figures.
% rebase('base.tpl', title=title, nav='/callcentre', refresh=None)
<h1>{{title}}</h1>
% include('callcentre_nav.tpl', here='/callcentre/reports')
% for group, items in groups.items():
<h2>{{_(labels[group])}}</h2>
<ul class="report-list">
% for name, (report_title, about) in items:
  <li><a href="/callcentre/reports/{{name}}">{{_(report_title)}}</a> <span class="muted small">{{_(about)}}</span></li>
% end
</ul>
% end
