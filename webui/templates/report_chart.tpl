% # A chart drawn by /static/charts.js from JSON data (no inline script: CSP script-src 'self').
% if chart is not None:
<figure class="chart"><canvas id="chart" role="img" aria-label="{{_('Chart')}}"></canvas></figure>
<script type="application/json" id="chart-data">{{!chart.to_json()}}</script>
<script src="/static/vendor/chart.umd.min.js"></script>
<script src="/static/charts.js"></script>
% end
