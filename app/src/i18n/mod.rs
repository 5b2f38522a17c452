//! Translated text. Every message has both languages, or the crate does not compile.
//! The locale comes from the `lang` cookie, so the server and the hydrated client
//! render the same words.

use crate::domain::auth::PasswordError;
use crate::domain::gantt::GanttProblem;
use crate::domain::mentors::MentorProblem;
use crate::domain::ops::Reason;
use crate::domain::org::{BranchKind, Role};
use crate::domain::projects::{Category, OnePlusFiveProblem, Principle, Status, Tier};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const COOKIE: &'static str = "lang";

    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Locale {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Locale::En
        } else {
            Locale::ZhCn
        }
    }

    /// The locale a request's cookie names, Chinese when there is none.
    #[cfg(feature = "ssr")]
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Locale {
        axum_extra::extract::CookieJar::from_headers(headers).get(Locale::COOKIE).map(|c| Locale::from_tag(c.value())).unwrap_or_default()
    }

    /// The locale named in the browser's `document.cookie`, Chinese when there is none.
    pub fn from_cookie_header(header: &str) -> Locale {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == Locale::COOKIE)
            .map(|(_, value)| Locale::from_tag(value))
            .unwrap_or_default()
    }

    pub fn other(self) -> Locale {
        match self {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }
}

macro_rules! messages {
    ($($name:ident => $zh:literal, $en:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Msg { $($name,)* }

        /// The text of `msg` in `locale`.
        pub fn t(locale: Locale, msg: Msg) -> &'static str {
            match (msg, locale) {
                $((Msg::$name, Locale::ZhCn) => $zh, (Msg::$name, Locale::En) => $en,)*
            }
        }
    };
}

messages! {
    AppName => "先锋", "Xianfeng";
    Tagline => "党建工作项目化管理", "Party-building work, run as projects";
    StreetName => "水泊寺街道党工委", "Shuibosi Sub-district Party Working Committee";
    SkipToContent => "跳到正文", "Skip to content";
    MainNav => "主导航", "Main navigation";
    Menu => "菜单", "Menu";
    SwitchLanguage => "English", "中文";
    SwitchLanguageLabel => "切换到英文", "Switch to Chinese";
    SignIn => "登录", "Sign in";
    SigningIn => "正在登录…", "Signing in…";
    SignOut => "退出登录", "Sign out";
    Username => "账号", "Username";
    Password => "密码", "Password";
    ShowPassword => "显示密码", "Show password";
    LoginFailed => "账号或密码错误", "Wrong username or password";
    LoginNeedsBoth => "请输入账号和密码", "Enter your username and password";
    SessionExpired => "登录已超时，请重新登录", "Your session has expired; please sign in again";
    SignedInAs => "当前用户", "Signed in as";
    AlreadySignedIn => "这台设备上已登录：", "Signed in on this device: ";
    SwitchAccount => "切换账号", "Switch account";
    GoOnAs => "继续使用", "Continue";
    DemoAccounts => "演示账号", "Demo accounts";
    NavHome => "首页", "Home";
    NavBranches => "基层党组织", "Branches";
    NavMyBranch => "本支部", "My branch";
    NavProfile => "个人中心", "Profile";
    Branches => "基层党组织", "Grassroots branches";
    BranchesSummary => "街道下辖村、社区及其他基层党组织", "Villages, communities and other organisations of the sub-district";
    ColName => "名称", "Name";
    ColKind => "类型", "Type";
    ColSecretary => "书记", "Secretary";
    ColPhone => "联系电话", "Phone";
    ColStaff => "工作人员", "Staff";
    Villages => "村", "Villages";
    Communities => "社区", "Communities";
    Others => "其他", "Other";
    Total => "合计", "Total";
    Intro => "简介", "Introduction";
    BasicInfo => "基本信息", "About";
    Address => "地址", "Address";
    Phone => "联系电话", "Phone";
    Edit => "编辑", "Edit";
    Save => "保存", "Save";
    Saving => "正在保存…", "Saving…";
    Saved => "已保存", "Saved";
    Cancel => "取消", "Cancel";
    NotSet => "未填写", "Not set";
    Notes => "工作记事", "Work notes";
    AddNote => "添加记事", "Add note";
    NoteText => "记事内容", "Note";
    NoNotes => "还没有记事", "No notes yet";
    People => "人员", "People";
    BackToBranches => "返回基层党组织列表", "Back to all branches";
    NotFound => "找不到该页面", "Page not found";
    LoadFailed => "加载失败，请稍后重试", "Could not load; please try again";
    Loading => "正在加载…", "Loading…";
    ReadOnlyNote => "您可以查看各支部信息；如需修改请联系街道党工委。", "You can view every branch; ask the street committee to change one.";
    Profile => "个人中心", "Profile";
    Account => "账号信息", "Account";
    Role => "角色", "Role";
    Branch => "所属支部", "Branch";
    DisplayName => "姓名", "Name";
    ChangePassword => "修改密码", "Change password";
    CurrentPassword => "当前密码", "Current password";
    NewPassword => "新密码", "New password";
    ConfirmPassword => "确认新密码", "Confirm new password";
    PasswordHint => "至少 8 位，包含大写字母、小写字母、数字、符号中的三类", "At least 8 characters, with three of: upper case, lower case, digits, symbols";
    PasswordsDiffer => "两次输入的新密码不一致", "The two new passwords differ";
    PasswordChanged => "密码已修改，其他设备上的登录已退出", "Password changed; your other sessions were signed out";
    NetworkError => "网络异常，未能提交，请检查网络后重试", "Network error: nothing was sent; check the connection and retry";
    ServerUnreachable => "连不上服务器，请检查网络后重试", "Cannot reach the server; check the connection and retry";
    ServerError => "服务器出错，请稍后重试", "Server error; please try again later";
    ConflictLater => "别人在你之后也修改了这一项，系统采用了较晚的修改", "Someone else changed this too, later; the later change was kept";
    SignInToSend => "登录已过期：修改已保存在本机，重新登录后自动提交", "Your session expired: the change is kept on this device and sent after you sign in again";
    SignInAgainKept => "登录已过期。未同步的修改已保存在本机，重新登录后会自动提交。", "Your session has expired. Changes not yet sent are kept on this device and sent after you sign in again.";
    UpdateReady => "新版本已就绪", "A new version is ready";
    Reload => "立即更新", "Update now";
    Offline => "离线中", "Offline";
    Since => "自", "since";
    SinceEnd => "起", "";
    OfflineKept => "修改会保存在本机，联网后自动同步。", "Changes are kept on this device and sent when the network is back.";
    WaitingToSync => "项待同步", "waiting to sync";
    NeedYou => "项需要处理", "need you";
    SyncTitle => "同步", "Sync";
    BoardChanged => "有人更新了项目。", "Projects have changed.";
    Refresh => "刷新看板", "Refresh the board";
    SyncStatus => "同步状态", "Sync status";
    FromDevice => "离线中：显示的是本机保存的项目。", "Offline: showing the projects kept on this device.";
    QueueHeading => "待同步的修改", "Changes waiting to be sent";
    ProblemsHeading => "需要你处理", "Needs you";
    SyncNow => "立即同步", "Sync now";
    NothingNeedsYou => "没有需要处理的事项。", "Nothing needs you.";
    NothingWaits => "所有修改都已同步。", "Everything is sent.";
    ConflictTitle => "修改冲突", "Conflicting change";
    RejectedTitle => "未被接受的修改", "Change not accepted";
    DamagedTitle => "无法读取的本地记录", "A local entry that cannot be read";
    YourValue => "你填写的", "Yours";
    WinningValue => "现在采用的", "Kept";
    SentAgain => "已重新提交", "Sent again";
    UseMine => "改用我的", "Use mine";
    Retry => "重试", "Retry";
    KeepTheirs => "保留现在的", "Keep theirs";
    Discard => "放弃", "Discard";
    SavedOnDevice => "已保存在本机，联网后自动同步", "Saved on this device; it syncs when the network is back";
    OfflineNotHeld => "离线中：这一页的内容还没有保存在本机。", "Offline: this page is not kept on this device yet.";
    Updated => "更新于", "Updated";
    ProjectTitle => "项目名称", "Project title";
    Category => "项目类型", "Category";
    Tier => "项目层级", "Tier";
    Year => "年度", "Year";
    Principles => "工作原则", "Principles";
    Goals => "项目目标", "Goals";
    Start => "开始日期", "Start";
    End => "结束日期", "End";
    LiaisonLeader => "包联领导", "Liaison leader";
    Responsible => "责任人", "Responsible person";
    Budget => "项目经费（元）", "Budget (yuan)";
    BudgetSource => "经费来源", "Source of the budget";
    Team => "工作队伍", "Work team";
    Indicators => "考核指标", "Assessment indicators";
    NavProjects => "项目看板", "Board";
    NavDashboard => "统计", "Dashboard";
    Board => "项目看板", "Project board";
    Declare => "申报项目", "Declare a project";
    Search => "搜索", "Search";
    SearchTitle => "按项目名称搜索", "Search by title";
    All => "全部", "All";
    Filter => "筛选", "Filter";
    ClearFilters => "清除筛选", "Clear filters";
    ProjectsCount => "个项目", "projects";
    Nominated => "区级示范推荐", "District nominee";
    Nominate => "推荐为区级示范项目", "Nominate for the district";
    ReturnReason => "退回原因", "Reason for return";
    Declaration => "申报信息", "Declaration";
    Period => "实施周期", "Period";
    FilingNo => "备案号", "Filing number";
    BudgetPart => "项目经费", "Budget";
    AssessmentPart => "考核机制", "Assessment scheme";
    Comments => "审核意见与评论", "Comments";
    AddComment => "发表评论", "Add comment";
    History => "变更记录", "History";
    Choose => "请选择", "Choose";
    BudgetMustBePositive => "项目经费请填写大于 0 的金额（元）", "Enter a budget above zero, in yuan";
    IndicatorFormat => "考核指标每行写“名称 权重”，如“群众满意率 60”", "Write one indicator per line as “name weight”, e.g. “Satisfaction 60”";
    DraftSaved => "草稿已保存", "Draft saved";
    FromCatalog => "从项目参考目录库选择", "Start from the reference catalog";
    TeamHint => "每行一名成员", "One member per line";
    IndicatorHint => "每行一个指标：名称 权重，权重合计 100", "One per line: name and weight; weights sum to 100";
    SaveDraft => "保存草稿", "Save draft";
    SubmitProject => "提交申报", "Submit";
    Dashboard => "项目统计", "Dashboard";
    AllProjects => "全部项目", "All projects";
    FiledProjects => "已备案", "Filed";
    NominatedProjects => "区级示范推荐", "District nominations";
    ByCategory => "按项目类型", "By category";
    ByTier => "按项目层级", "By tier";
    ByStatus => "按状态", "By status";
    FiledByBranch => "各支部备案项目", "Filed projects by branch";
    Catalog => "项目参考目录库", "Reference catalog";
    NavCatalog => "目录库", "Catalog";
    DeclareFromEntry => "以此申报", "Declare from this";
    AddEntry => "新增目录条目", "Add an entry";
    EntryTitle => "条目名称", "Entry title";
    Description => "说明", "Description";
    Selected => "区级示范·已入选", "Selected by the district";
    NotSelected => "区级示范·未入选", "Not selected";
    MarkSelected => "记为入选", "Mark selected";
    MarkNotSelected => "记为未入选", "Mark not selected";
    NominationQuota => "本年度区级示范推荐名额", "District nominations allowed this year";
    NominatedSoFar => "已推荐", "nominated so far:";
    DeclareByBranches => "项目由党支部书记或社区干部申报；街道在项目看板中审核、备案。", "Branch secretaries and community staff declare projects; the street reviews and files them on the board.";
    ReviewQueue => "待审核", "Waiting for review";
    NoHistory => "暂无变更记录", "No changes recorded yet";
    DragToMove => "拖动到其他列以变更状态", "Drag to another column to change the status";
    ReturnOnProjectPage => "退回需要填写原因，请在项目页面操作", "A return needs a reason: do it on the project page";
    FiveIncompleteOpen => "“1+5”尚不完整，请打开项目补全后再提交", "The “1+5” is incomplete: open the project and complete it first";
    ExportRegister => "导出备案登记表（Excel）", "Export the filing register (Excel)";
    ExportNominations => "导出区级示范推荐名单（Excel）", "Export the nomination list (Excel)";
    NavGantt => "计划", "Plans";
    GanttPlan => "项目计划", "Plan";
    GanttProgramme => "街道项目计划总览", "The street's programme";
    GanttProgrammeLead => "所有已备案项目的计划排在一条时间线上，按支部分组；红色为延期，标记为逾期和有风险的任务。", "Every filed project's plan on one timeline, by branch; red is late, with overdue and at-risk tasks marked.";
    GanttChart => "甘特图", "Gantt chart";
    GanttBars => "任务条", "Task bars";
    GanttTask => "任务", "Task";
    GanttTasks => "任务数", "Tasks";
    GanttCritical => "关键路径", "Critical path";
    GanttLate => "延期任务", "Late";
    GanttOverdue => "逾期", "Overdue";
    GanttAtRisk => "有风险", "At risk";
    GanttZoom => "缩放", "Zoom";
    GanttDay => "日", "Day";
    GanttWeek => "周", "Week";
    GanttMonth => "月", "Month";
    GanttAddTask => "新增任务", "Add task";
    GanttNewTask => "新任务", "New task";
    GanttExport => "导出计划（Excel）", "Export the plan (Excel)";
    GanttHowTo => "拖动任务条调整开始日期，拖动右端调整工期，从圆点拖到另一任务建立依赖；长按打开菜单；选中后可用方向键移动（Shift 调整工期）。", "Drag a bar to move it, its end to resize, its dot onto another bar to link them; long-press for a menu; arrow keys move the selected task (Shift resizes).";
    GanttReadOnly => "您可以查看这份计划，但不能修改。", "You can view this plan but not change it.";
    GanttPickTarget => "请点选要连接到的任务", "Tap the task to link to";
    GanttBaseline => "备案基线", "Baseline";
    GanttToday => "今天", "Today";
    GanttResize => "拖动调整工期", "Drag to change the length";
    GanttLinkHandle => "拖到另一任务建立依赖", "Drag onto another task to link";
    GanttLinkFrom => "从此任务连线", "Link from this task";
    GanttMarkDone => "标记完成", "Mark done";
    GanttRemove => "删除", "Remove";
    GanttEditTask => "任务详情", "Task details";
    GanttSlack => "总时差（工作日）", "Total slack (working days)";
    GanttOwner => "负责人", "Owner";
    GanttStart => "开始日期", "Start";
    GanttDuration => "工期（工作日）", "Length (working days)";
    GanttEnd => "结束日期", "End";
    GanttProgress => "进度（%）", "Progress (%)";
    GanttActualStart => "实际开始", "Actual start";
    GanttActualFinish => "实际完成", "Actual finish";
    GanttParent => "上级任务", "Parent task";
    GanttMilestone => "里程碑", "Milestone";
    GanttNotes => "备注", "Notes";
    GanttPredecessors => "前置任务", "Predecessors";
    GanttAddPredecessor => "添加前置任务", "Add a predecessor";
    GanttLag => "间隔（工作日）", "Lag (working days)";
    GanttAddLink => "添加依赖", "Add dependency";
    GanttOpenPlan => "查看项目计划（甘特图）", "Open the plan (Gantt chart)";
    GanttTaskName => "任务名称", "Task name";
    NavMentors => "导师团", "Mentors";
    NavVolunteers => "志愿服务", "Volunteers";
    VolunteerActivities => "志愿活动", "Activities";
    TeamRanking => "各队服务时长（按月）", "Team hours by month";
    VolunteerTeam => "队伍", "Team";
    ServiceHours => "服务时长（小时）", "Hours";
    CheckInCode => "现场签到码", "On-site check-in code";
    QrCode => "二维码", "QR code";
    VolunteerName => "姓名", "Name";
    VolunteerPhone => "手机号", "Phone";
    VolunteerPlace => "状态", "Status";
    CheckIn => "签到", "Check in";
    CheckOut => "签退", "Check out";
    WalkIn => "现场登记", "Walk-in";
    WalkInAdd => "登记并签到", "Add and check in";
    RevealLog => "查看号码记录", "Phone numbers revealed";
    RevealPhone => "查看号码", "Reveal";
    Unsent => "待同步", "not sent yet";
    PlaceWaiting => "候补", "Waiting";
    PlaceCancelled => "已取消", "Cancelled";
    PlaceWalkIn => "现场登记", "Walk-in";
    PlaceConfirmed => "已确认", "Confirmed";
    ExportSignups => "导出报名名单（Excel）", "Export the sign-up list (Excel)";
    NewActivity => "发布招募通知", "Publish a recruitment notice";
    EditBrand => "编辑本支部品牌页", "Edit the branch's brand page";
    Partners => "共建单位申请", "Partners' applications";
    SocialOrg => "社会组织", "Social organisation";
    Merchant => "辖区商家", "Local merchant";
    Applied => "待审核", "Waiting for review";
    Approved => "已通过", "Approved";
    Declined => "未通过", "Declined";
    Approve => "通过", "Approve";
    Decline => "不通过", "Decline";
    BrandName => "品牌名称", "Brand name";
    BrandSlogan => "口号", "Slogan";
    BrandStory => "品牌故事", "Story";
    BrandJoin => "怎样加入", "How to join";
    BrandNameNeeded => "品牌名称至少2个字", "The brand name needs at least 2 characters";
    BrandPhotos => "品牌照片", "Brand photos";
    PhotoAdd => "添加照片", "Add a photo";
    PhotoHint => "JPG、PNG 或 WebP，不超过 12 MB；第一张是封面，也是分享链接的配图。照片中的位置等信息会被去除。", "JPG, PNG or WebP, up to 12 MB; the first is the cover and the picture on shared links. Location and other camera data are removed.";
    PhotoCover => "封面", "Cover";
    PhotoMakeCover => "设为封面", "Make cover";
    PhotoRemove => "移除", "Remove";
    YearFormat => "年度请填写四位数字，如 2027", "Type the year as four digits, e.g. 2027";
    ConfirmFilingText => "备案后将分配备案编号，并把当前计划保存为基线，不能撤回。", "Filing draws a filing number and saves the current plan as its baseline; it cannot be undone.";
    ConfirmFiling => "确认备案", "File it";
    PhotoRemoveConfirm => "再点一次移除", "Tap again to remove";
    PhotoUploading => "正在上传照片……", "Uploading the photo…";
    PhotoNeedsNetwork => "照片没能保存在本机，请联网后再上传", "The photo could not be kept on this device; upload it when online";
    AdjustHours => "手工调整时长", "Adjust hours by hand";
    AdjustWho => "志愿者", "Volunteer";
    AdjustMinutes => "增减分钟数（减少填负数）", "Minutes to add (negative to take off)";
    ChangeOneTimePassword => "这是一次性密码：请先设置您自己的新密码，再使用其他功能。", "This is a one-time password: set your own before anything else.";
    CheckOutOpensAtStart => "活动开始后可签退", "Check-out opens when the activity starts";
    AdjustReason => "调整原因（必填，记入审计日志）", "Reason (required; kept in the audit log)";
    AdjustSave => "保存调整", "Save the change";
    AdjustNeedsMinutes => "请填写要增减的分钟数（-1440 到 1440，不为 0）", "Enter the minutes to add or take off (-1440 to 1440, not 0)";
    ViewPublicPage => "查看公开页面", "See the public page";
    ActivityTitle => "活动名称", "Title";
    ActivityPlace => "地点", "Place";
    ActivityStarts => "开始时间", "Starts";
    ActivityEnds => "结束时间", "Ends";
    ActivityCapacity => "名额（人）", "Places";
    ActivityBring => "请携带", "What to bring";
    Publish => "发布", "Publish";
    CapacityMustBePositive => "名额必须是大于 0 的整数", "Places must be a whole number above 0";
    TimesNeeded => "请填写开始和结束时间", "Enter when it starts and ends";
    CancelActivity => "取消活动", "Cancel the activity";
    ChangeCapacity => "调整名额（多出的报名转为候补）", "Change places (sign-ups beyond them wait)";
    TapAgainToConfirm => "再点一次确认取消（报名的居民会在自己的页面上看到）", "Tap again to cancel it (residents who signed up see it on their page)";
    ActivityCancelled => "活动已取消", "Cancelled";
    ExportHours => "导出志愿服务时长（Excel）", "Export the hours register (Excel)";
    VolunteerRegister => "每位志愿者的服务时长", "Each volunteer's hours";
    ActivitiesServed => "参加活动（次）", "Activities";
    WorkCalendar => "工作日历（节假日与调休）", "Working calendar (holidays and make-up days)";
    WorkCalendarLead => "所有项目计划按这份日历排期：周一至周五为工作日，法定节假日休息，调休的周末上班。", "Every plan is scheduled on this calendar: Monday to Friday are worked, public holidays are not, and make-up weekend days are.";
    DayKind => "类型", "Kind";
    DayDate => "日期", "Date";
    DayName => "名称", "Name";
    Holiday => "法定节假日", "Public holiday";
    MakeupDay => "调休上班", "Make-up working day";
    BackToNormal => "恢复为普通日", "Back to an ordinary day";
    MentorTeam => "导师帮带", "Mentor team";
    MentorLead => "街道班子成员、优秀基层党组织书记、社会治理专家和物业管理专业人才组成导师团，与支部一对一结对，帮助确定课题、完善制度、设计活动。", "Street leaders, outstanding branch secretaries, governance experts and property professionals mentor the branches one-to-one: setting topics, improving rules, designing activities.";
    PairingGraph => "结对关系图", "Pairing graph";
    PairingList => "结对一览", "Pairings";
    ExportMentoring => "导出辅导记录（Excel）", "Export the mentoring log (Excel)";
    MentoringLog => "辅导记录", "Mentoring log";
    SessionsHeld => "辅导次数", "Sessions";
    QuietBranch => "近30天未辅导", "No session in 30 days";
    NoSessions => "暂无辅导记录", "No sessions yet";
    Mentor => "导师", "Mentor";
    MentorKind => "导师类别", "Kind";
    LastSession => "最近辅导", "Last session";
    EndPairing => "结束结对", "End pairing";
    SummaryNeeded => "请填写辅导内容", "Say what the session was about";
    LogSession => "记录一次辅导", "Log a session";
    SessionDate => "辅导日期", "Date";
    ServedProject => "服务的项目", "Project served";
    SessionForm => "辅导形式", "Form";
    SessionOutcomes => "辅导成果", "Outcome";
    SessionSummary => "辅导内容", "What was done";
    NewPairing => "新建结对", "New pairing";
    PairingStarts => "结对开始日期", "Starts on";
    AdditionalPairing => "增加结对（该导师同时联系另一个支部）", "Additional pairing (this mentor takes a further branch)";
}

pub fn role_name(locale: Locale, role: Role) -> &'static str {
    match (role, locale) {
        (Role::StreetStaff, Locale::ZhCn) => "街道党工委工作人员",
        (Role::StreetStaff, Locale::En) => "Street committee staff",
        (Role::BranchSecretary, Locale::ZhCn) => "党支部书记",
        (Role::BranchSecretary, Locale::En) => "Branch secretary",
        (Role::CommunityStaff, Locale::ZhCn) => "社区干部",
        (Role::CommunityStaff, Locale::En) => "Community staff",
        (Role::Mentor, Locale::ZhCn) => "导师团成员",
        (Role::Mentor, Locale::En) => "Mentor",
        (Role::LiaisonLeader, Locale::ZhCn) => "包联领导",
        (Role::LiaisonLeader, Locale::En) => "Liaison leader",
        (Role::Resident, Locale::ZhCn) => "居民",
        (Role::Resident, Locale::En) => "Resident",
    }
}

pub fn branch_kind_name(locale: Locale, kind: BranchKind) -> &'static str {
    match (kind, locale) {
        (BranchKind::Village, Locale::ZhCn) => "村",
        (BranchKind::Village, Locale::En) => "Village",
        (BranchKind::Community, Locale::ZhCn) => "社区",
        (BranchKind::Community, Locale::En) => "Community",
        (BranchKind::Other, Locale::ZhCn) => "其他",
        (BranchKind::Other, Locale::En) => "Other",
    }
}

/// "Wrong password; N attempts left".
pub fn login_failed(locale: Locale, attempts_left: u32) -> String {
    match locale {
        Locale::ZhCn => format!("账号或密码错误，再输错 {attempts_left} 次账号将被锁定 15 分钟"),
        Locale::En => format!("Wrong username or password; {attempts_left} more and the account is locked for 15 minutes"),
    }
}

/// "Locked; try again in N minutes".
pub fn account_locked(locale: Locale, minutes: i64) -> String {
    match locale {
        Locale::ZhCn => format!("密码连续输错 5 次，账号已锁定，请 {minutes} 分钟后再试"),
        Locale::En => format!("Five wrong passwords in a row: the account is locked; try again in {minutes} minutes"),
    }
}

pub fn password_problem(locale: Locale, problem: PasswordError) -> &'static str {
    match (problem, locale) {
        (PasswordError::TooShort, Locale::ZhCn) => "新密码至少需要 8 位",
        (PasswordError::TooShort, Locale::En) => "The new password needs at least 8 characters",
        (PasswordError::TooLong, Locale::ZhCn) => "新密码不能超过 128 位",
        (PasswordError::TooLong, Locale::En) => "The new password may have at most 128 characters",
        (PasswordError::TooSimple, Locale::ZhCn) => "新密码需包含大写字母、小写字母、数字、符号中的至少三类",
        (PasswordError::TooSimple, Locale::En) => "The new password needs three of: upper case, lower case, digits, symbols",
        (PasswordError::Unchanged, Locale::ZhCn) => "新密码不能与当前密码相同",
        (PasswordError::Unchanged, Locale::En) => "The new password must differ from the current one",
    }
}

/// The field's name as people know it, for messages.
pub fn field_name(locale: Locale, field: &str) -> String {
    let msg = match field {
        "name" => Msg::ColName,
        "phone" => Msg::Phone,
        "address" => Msg::Address,
        "intro" => Msg::Intro,
        "display_name" => Msg::DisplayName,
        "notes" => Msg::Notes,
        "title" => Msg::ProjectTitle,
        "category" => Msg::Category,
        "tier" => Msg::Tier,
        "year" => Msg::Year,
        "principles" => Msg::Principles,
        "goals" => Msg::Goals,
        "starts_on" => Msg::Start,
        "ends_on" => Msg::End,
        "liaison_leader" => Msg::LiaisonLeader,
        "responsible" => Msg::Responsible,
        "budget_fen" => Msg::Budget,
        "budget_source" => Msg::BudgetSource,
        "team" => Msg::Team,
        "indicators" => Msg::Indicators,
        "nomination_quota" => Msg::NominationQuota,
        "nomination" => Msg::Nominated,
        "start" => Msg::GanttStart,
        "duration" => Msg::GanttDuration,
        "progress" => Msg::GanttProgress,
        "owner" => Msg::GanttOwner,
        "actual_start" => Msg::GanttActualStart,
        "actual_finish" => Msg::GanttActualFinish,
        "parent" => Msg::GanttParent,
        "lag" => Msg::GanttLag,
        "date" => Msg::DayDate,
        "project" => Msg::GanttPlan,
        other => {
            return match OTHER_FIELD_NAMES.iter().find(|(name, _, _)| *name == other) {
                Some((_, zh, en)) => if locale == Locale::ZhCn { zh } else { en }.to_string(),
                None => other.to_string(),
            }
        }
    };
    t(locale, msg).to_string()
}

/// The names of fields no form label already names: shown in the sync queue, a project's
/// history and refusals, where a person must recognise what changed. Every field of the
/// registry has a name (a test holds it).
const OTHER_FIELD_NAMES: &[(&str, &str, &str)] = &[
    ("branch", "所属支部", "Branch"),
    ("catalog_entry", "目录库项目", "Catalog entry"),
    ("status", "状态", "Status"),
    ("sort", "排序", "Order"),
    ("additional", "增补项目", "Added later"),
    ("outcomes", "预期成效", "Outcomes"),
    ("description", "说明", "Description"),
    ("milestone", "里程碑", "Milestone"),
    ("removed", "已删除", "Removed"),
    ("from", "前置任务", "From task"),
    ("to", "后续任务", "To task"),
    ("kind", "类型", "Kind"),
    ("account", "账号", "Account"),
    ("expertise", "专长", "Expertise"),
    ("mentor", "导师", "Mentor"),
    ("form", "辅导形式", "Form"),
    ("summary", "内容摘要", "Summary"),
    ("slogan", "口号", "Slogan"),
    ("story", "品牌故事", "Story"),
    ("join", "加入方式", "How to join"),
    ("leader", "负责人", "Leader"),
    ("photos", "照片", "Photos"),
    ("activity", "活动", "Activity"),
    ("place", "地点", "Place"),
    ("bring", "携带物品", "What to bring"),
    ("notice", "招募通知", "Recruitment notice"),
    ("starts_at", "开始时间", "Starts"),
    ("ends_at", "结束时间", "Ends"),
    ("capacity", "名额", "Places"),
    ("cancelled", "已取消", "Cancelled"),
    ("checkin_code", "签到码", "Check-in code"),
    ("name_cipher", "姓名", "Name"),
    ("name_mask", "姓名", "Name"),
    ("phone_cipher", "手机号", "Phone"),
    ("phone_hash", "手机号", "Phone"),
    ("phone_mask", "手机号", "Phone"),
    ("phone_invalid", "手机号", "Phone"),
    ("consent", "同意个人信息使用", "Consent"),
    ("wait", "登记候补", "Waiting list"),
    ("walk_in", "现场登记", "Walk-in"),
    ("active", "报名状态", "Sign-up standing"),
    ("checked_in_at", "签到时间", "Check-in time"),
    ("checked_out_at", "签退时间", "Check-out time"),
    ("checkout_reason", "签退调整原因", "Check-out adjustment reason"),
    ("code", "签到码", "Check-in code"),
    ("erase", "删除个人信息", "Erasure"),
    ("adjust_minutes", "调整时长", "Hours adjustment"),
    ("adjust_reason", "调整原因", "Adjustment reason"),
    ("org", "单位名称", "Organisation"),
    ("offer", "可提供的资源", "What it offers"),
];

/// A table's records as a person calls them, for lists that have nothing better to show.
pub fn table_noun(locale: Locale, table: &str) -> String {
    let zh = locale == Locale::ZhCn;
    let (cn, en) = match table {
        "branch" => ("支部信息", "Branch details"),
        "account" => ("个人信息", "Personal details"),
        "project" => ("项目", "Project"),
        "catalog_entry" => ("目录库项目", "Catalog entry"),
        "street_year" => ("年度设置", "Year settings"),
        "gantt_task" => ("计划任务", "Plan task"),
        "gantt_link" => ("任务依赖", "Task dependency"),
        "calendar_day" => ("工作日历", "Working calendar"),
        "mentor" => ("导师", "Mentor"),
        "mentor_pairing" => ("导师结对", "Mentor pairing"),
        "mentor_session" => ("辅导记录", "Mentoring session"),
        "brand" => ("品牌页", "Brand page"),
        "volunteer_team" => ("志愿服务队", "Volunteer team"),
        "activity" => ("志愿活动", "Volunteer activity"),
        "signup" => ("志愿者报名", "Volunteer sign-up"),
        "partner" => ("共建单位", "Partner"),
        other => return other.to_string(),
    };
    if zh { cn } else { en }.to_string()
}

/// Why a project may not be moved from one state to another, saying who may and from
/// which state: "只有街道工作人员可以把项目从「已提交」移到「已备案」".
pub fn move_refusal(locale: Locale, from: Status, to: Status) -> String {
    use crate::domain::projects::{transition_mover, ways_into, Mover};
    let zh = locale == Locale::ZhCn;
    let who = |mover: Mover| match (mover, zh) {
        (Mover::Street, true) => "街道工作人员",
        (Mover::Branch, true) => "本支部的工作人员",
        (Mover::Street, false) => "street staff",
        (Mover::Branch, false) => "the branch's own staff",
    };
    let (from_name, to_name) = (status_name(locale, from), status_name(locale, to));
    if let Some(mover) = transition_mover(from, to) {
        return if zh {
            format!("只有{}可以把项目从「{from_name}」移到「{to_name}」", who(mover))
        } else {
            format!("Only {} move a project from “{from_name}” to “{to_name}”", who(mover))
        };
    }
    let ways = ways_into(to);
    let Some((_, mover)) = ways.first() else { return reason_message(locale, &Reason::TransitionNotAllowed) };
    let sources: Vec<String> =
        ways.iter().map(|(s, _)| if zh { format!("「{}」", status_name(locale, *s)) } else { format!("“{}”", status_name(locale, *s)) }).collect();
    if zh {
        format!("「{from_name}」的项目不能直接移到「{to_name}」：{}从{}移入", who(*mover), sources.join("或"))
    } else {
        format!("A project in “{from_name}” cannot move straight to “{to_name}”: {} move it there from {}", who(*mover), sources.join(" or "))
    }
}

/// A rejection reason in the requester's language.
pub fn reason_message(locale: Locale, reason: &Reason) -> String {
    let zh = locale == Locale::ZhCn;
    match reason {
        Reason::UnknownTable => {
            if zh {
                "不支持修改此类记录".into()
            } else {
                "This kind of record cannot be changed".into()
            }
        }
        Reason::UnknownRecord => {
            if zh {
                "记录不存在或已被删除".into()
            } else {
                "The record does not exist".into()
            }
        }
        Reason::UnknownField { field } => {
            if zh {
                format!("不存在字段“{field}”")
            } else {
                format!("There is no field “{field}”")
            }
        }
        Reason::UnknownList { list } => {
            if zh {
                format!("不存在列表“{list}”")
            } else {
                format!("There is no list “{list}”")
            }
        }
        Reason::InvalidValue { field } => {
            let name = field_name(locale, field);
            if zh {
                format!("“{name}”的内容不符合要求")
            } else {
                format!("The value of “{name}” is not valid")
            }
        }
        Reason::EmptyOperation => {
            if zh {
                "没有需要保存的修改".into()
            } else {
                "There is nothing to save".into()
            }
        }
        Reason::Forbidden => {
            if zh {
                "您没有权限修改这条记录".into()
            } else {
                "You may not change this record".into()
            }
        }
        Reason::ClockAhead => {
            if zh {
                "设备时间比服务器快太多，请校准设备时间后重试".into()
            } else {
                "This device's clock is far ahead of the server; correct it and retry".into()
            }
        }
        Reason::TransitionNotAllowed => {
            if zh {
                "不允许这样变更状态".into()
            } else {
                "This state change is not allowed".into()
            }
        }
        Reason::WrongPassword => {
            if zh {
                "当前密码不正确".into()
            } else {
                "The current password is wrong".into()
            }
        }
        Reason::PasswordTriesUsed { minutes } => {
            if zh {
                format!("密码输错次数过多，请 {minutes} 分钟后再试")
            } else {
                format!("Too many wrong passwords; try again in {minutes} minutes")
            }
        }
        Reason::OnePasswordChangeAtATime => {
            if zh {
                "一次只能修改一次密码，请稍后再试".into()
            } else {
                "One password change at a time; try again".into()
            }
        }
        Reason::PasswordPolicy { problem } => password_problem(locale, *problem).into(),
        Reason::AlreadyExists => {
            if zh {
                "该记录已存在".into()
            } else {
                "This record already exists".into()
            }
        }
        Reason::YearOutsidePeriod { year, first, last } => {
            let period = if first == last { format!("{first}") } else { format!("{first}–{last}") };
            if zh {
                format!("项目年度{year}不在计划时间（{period}年）内：请按计划开始的年份填写年度")
            } else {
                format!("The year {year} is outside the planned period ({period}): use the year the project starts")
            }
        }
        Reason::SecondKeyProject => {
            if zh {
                "本支部今年已有一个重点项目（“1+N”：每年只能申报 1 个重点项目）".into()
            } else {
                "This branch already has a key project this year (“1+N”: one key project a year)".into()
            }
        }
        Reason::Incomplete { problems } => {
            let named: Vec<&str> = problems.iter().map(|p| one_plus_five_problem(locale, p)).collect();
            if zh {
                format!("“1+5”尚不完整：{}", named.join("；"))
            } else {
                format!("The “1+5” is incomplete: {}", named.join("; "))
            }
        }
        Reason::WrongRole => {
            if zh {
                "您的角色不能进行此操作".into()
            } else {
                "Your role may not do this".into()
            }
        }
        Reason::ReturnNeedsReason => {
            if zh {
                "退回时请填写退回原因".into()
            } else {
                "Give a reason for returning the project".into()
            }
        }
        Reason::QuotaReached { quota } => {
            if zh {
                format!("今年的区级示范项目推荐名额（{quota} 个）已用完")
            } else {
                format!("This year's {quota} district nominations are used up")
            }
        }
        Reason::NotFiled => {
            if zh {
                "只有已备案的项目才能推荐为区级示范项目".into()
            } else {
                "Only filed projects can be nominated".into()
            }
        }
        Reason::NotEditable => {
            if zh {
                "项目已提交或备案，不能再修改；如需修改请联系街道退回".into()
            } else {
                "The project has been submitted or filed and can no longer be edited".into()
            }
        }
        Reason::OutOfOrder { .. } => {
            if zh {
                "前面的修改还没送达，稍后会自动重发".into()
            } else {
                "An earlier change has not arrived yet; this one will be sent again".into()
            }
        }
        Reason::NumberUsed { .. } => {
            if zh {
                "本设备的修改编号需要重排，稍后会自动重发".into()
            } else {
                "This device's changes are being renumbered and will be sent again".into()
            }
        }
        Reason::Plan { problem } => gantt_problem(locale, problem),
        Reason::Mentoring { problem } => mentor_problem(locale, problem),
        Reason::Volunteer { problem } => volunteer_problem(locale, problem),
        Reason::Photo { problem } => photo_problem(locale, *problem),
    }
}

/// A plan rule broken, naming the tasks.
pub fn gantt_problem(locale: Locale, problem: &GanttProblem) -> String {
    let zh = locale == Locale::ZhCn;
    match problem {
        GanttProblem::Cycle { tasks } => {
            let chain = tasks.iter().chain(tasks.first()).map(|t| format!("“{t}”")).collect::<Vec<_>>().join(" → ");
            if zh {
                format!("不能添加这个依赖：会形成循环 {chain}")
            } else {
                format!("This dependency would close a cycle: {chain}")
            }
        }
        GanttProblem::UnknownTask { task } => {
            if zh {
                format!("任务“{task}”不存在或已删除")
            } else {
                format!("The task “{task}” does not exist")
            }
        }
        GanttProblem::OtherProject { task } if task.is_empty() => {
            if zh {
                "所选任务属于另一个项目，不能与本项目的任务关联".into()
            } else {
                "The task chosen belongs to another project".into()
            }
        }
        GanttProblem::OtherProject { task } => {
            if zh {
                format!("任务“{task}”属于另一个项目，不能与本项目的任务关联")
            } else {
                format!("The task “{task}” belongs to another project")
            }
        }
        GanttProblem::EndsBeforeStart { task } => {
            if zh {
                format!("任务“{task}”的结束早于开始")
            } else {
                format!("The task “{task}” ends before it starts")
            }
        }
        GanttProblem::NotWorkingDay { task, date } => {
            if zh {
                format!("任务“{task}”的开始日期 {date} 是休息日（周末或节假日），请选择工作日")
            } else {
                format!("The task “{task}” starts on {date}, a day off; pick a working day")
            }
        }
        GanttProblem::MilestoneMoved { milestone, by } => {
            if zh {
                format!("这样会推迟里程碑“{milestone}”（被“{by}”推后），里程碑日期不能变")
            } else {
                format!("This would push the milestone “{milestone}” (by “{by}”); milestones keep their dates")
            }
        }
        GanttProblem::BeforeParent { task, parent } => {
            if zh {
                format!("子任务“{task}”不能早于上级任务“{parent}”开始")
            } else {
                format!("The subtask “{task}” cannot start before its parent “{parent}”")
            }
        }
        GanttProblem::OutsideYears { task, first, last } => {
            if zh {
                format!("任务“{task}”的日期须在{first}年1月1日至{last}年12月31日之间")
            } else {
                format!("The task “{task}” must lie between 1 January {first} and 31 December {last}")
            }
        }
        GanttProblem::SelfLink { task } => {
            if zh {
                format!("任务“{task}”不能依赖它自己")
            } else {
                format!("The task “{task}” cannot depend on itself")
            }
        }
    }
}

/// A mentoring rule broken, naming the mentor or branch.
/// What a resident or staff member is told when a volunteer rule refuses what they did.
pub fn volunteer_problem(locale: Locale, problem: &crate::domain::volunteers::VolunteerProblem) -> String {
    use crate::domain::volunteers::{VolunteerProblem as P, MAX_CODE_TRIES};
    let zh = locale == Locale::ZhCn;
    let pick = |z: &str, e: &str| if zh { z.to_string() } else { e.to_string() };
    match problem {
        P::PhoneMalformed => pick(
            "手机号格式不正确：请填写11位手机号，如 138 1234 5678",
            "The phone number is not valid: enter an 11-digit mainland mobile number, e.g. 138 1234 5678",
        ),
        P::NameMissing => pick("请填写姓名", "Please enter your name"),
        P::NameTooLong => pick("姓名不能超过20个字", "The name may have at most 20 characters"),
        P::Markup { field } => {
            let what = match (field.as_str(), zh) {
                ("name", true) => "姓名",
                ("name", false) => "The name",
                ("reason", true) => "原因",
                ("reason", false) => "The reason",
                (_, true) => "填写的内容",
                (_, false) => "The text",
            };
            if zh {
                format!("{what}中不能包含 < 或 > 等符号")
            } else {
                format!("{what} may not contain < or >")
            }
        }
        P::ConsentMissing => {
            pick("请勾选同意个人信息的收集和使用，否则无法报名", "Please agree to the use of your personal information; without it you cannot sign up")
        }
        P::Full { capacity } => {
            if zh {
                format!("名额已满（共{capacity}人）。可以点“登记候补”进入候补名单，有人取消时按顺序递补")
            } else {
                format!("All {capacity} places are taken. Tap “join the waiting list” to wait for one")
            }
        }
        P::Started => pick("活动已经开始，不能再报名", "The activity has started; sign-up is closed"),
        P::Cancelled => pick("活动已取消", "The activity is cancelled"),
        P::NotSignedUp => pick("报名已取消", "This sign-up is cancelled"),
        P::Waiting => pick("您在候补名单中，有名额后才能签到", "You are on the waiting list: check-in opens to you when a place frees"),
        P::CodeNotSixDigits => pick(
            "签到码是6位数字，请核对后再输入（这次不计入输错次数）",
            "A check-in code is six digits: check it and type it again (this did not count as a try)",
        ),
        P::WrongCode { tries_left: 0 } => {
            if zh {
                format!("签到码不正确，已连续输错{MAX_CODE_TRIES}次，请找现场工作人员签到")
            } else {
                format!("Wrong check-in code, {MAX_CODE_TRIES} times: please ask the staff on site to check you in")
            }
        }
        P::WrongCode { tries_left } => {
            if zh {
                format!("签到码不正确，还可以再试{tries_left}次")
            } else {
                format!("Wrong check-in code; {tries_left} tries left")
            }
        }
        P::TooManyTries => {
            if zh {
                format!("签到码已连续输错{MAX_CODE_TRIES}次，请找现场工作人员签到")
            } else {
                format!("{MAX_CODE_TRIES} wrong codes: please ask the staff on site to check you in")
            }
        }
        P::ActivityCodeTriesUsed => pick(
            "这次活动刚刚有很多次签到码输错，请一分钟后再试，或找现场工作人员签到",
            "Many wrong codes for this activity just now: try again in a minute, or ask the staff on site",
        ),
        P::CheckInNotOpen { opens } => {
            if zh {
                format!("签到还没开始，{opens} 开放签到")
            } else {
                format!("Check-in opens at {opens}")
            }
        }
        P::Ended => pick("活动已经结束", "The activity is over"),
        P::AlreadyCheckedIn => pick("已经签到过了", "Checked in already"),
        P::NotCheckedIn => pick("还没有签到，不能签退", "Not checked in yet, so no check-out"),
        P::CheckOutBeforeCheckIn => pick("签退时间早于签到时间", "The check-out is before the check-in"),
        P::CheckOutBeforeStart => pick(
            "活动开始后才能签退；提前离开请由工作人员填写原因后签退",
            "Check-out opens when the activity starts; staff can record an early leave with a reason",
        ),
        P::CheckOutInFuture => pick("签退时间不能晚于现在", "A check-out cannot be later than now"),
        P::ReasonMissing => pick("手工调整时长必须填写原因", "A change to the hours needs a reason"),
        P::TooManySignUps => pick("报名过于频繁，请稍后再试", "Too many sign-ups; please try again later"),
        P::EndsBeforeStart => pick("活动结束时间早于开始时间", "The activity ends before it starts"),
        P::AlreadySignedUp => pick(
            "这个手机号已经报名了本活动；请用报名后得到的专属链接查看或取消",
            "This phone number is signed up already; use the private link you were given to see or cancel it",
        ),
    }
}

pub fn photo_problem(locale: Locale, problem: crate::domain::photos::PhotoProblem) -> String {
    use crate::domain::photos::{PhotoProblem as P, MAX_BYTES, MAX_PER_BRAND, MAX_PIXELS, MAX_SIDE, MIN_SIDE};
    let zh = locale == Locale::ZhCn;
    let mb = MAX_BYTES / (1024 * 1024);
    let megapixels = MAX_PIXELS / 1_000_000;
    match (problem, zh) {
        (P::NotImage, true) => "这个文件不是图片：请选择 JPG、PNG 或 WebP 格式的照片".into(),
        (P::NotImage, false) => "This file is not an image: choose a JPG, PNG or WebP photo".into(),
        (P::TooLarge, true) => format!("照片太大：不能超过 {mb} MB"),
        (P::TooLarge, false) => format!("The photo is too large: at most {mb} MB"),
        (P::TooManyPixels, true) => format!("照片像素太多：长边不超过 {MAX_SIDE} 像素，总共不超过 {megapixels} 百万像素"),
        (P::TooManyPixels, false) => format!("The photo has too many pixels: at most {MAX_SIDE} on a side and {megapixels} megapixels"),
        (P::TooSmall, true) => format!("照片太小：宽和高都至少要 {MIN_SIDE} 像素"),
        (P::TooSmall, false) => format!("The photo is too small: at least {MIN_SIDE} pixels each way"),
        (P::Damaged, true) => "照片已损坏，无法读取：请换一张".into(),
        (P::Damaged, false) => "The photo is damaged and cannot be read: choose another".into(),
        (P::HashMismatch, true) => "照片在上传中出错，请重新上传".into(),
        (P::HashMismatch, false) => "The photo was damaged on the way; upload it again".into(),
        (P::Missing, true) => "有照片没有上传成功（文件可能不符合要求），请重新添加".into(),
        (P::Missing, false) => "A photo did not upload (the file may not meet the rules); add it again".into(),
        (P::TooMany, true) => format!("品牌页最多放 {MAX_PER_BRAND} 张照片"),
        (P::TooMany, false) => format!("A brand page shows at most {MAX_PER_BRAND} photos"),
    }
}

pub fn mentor_problem(locale: Locale, problem: &MentorProblem) -> String {
    let zh = locale == Locale::ZhCn;
    match problem {
        MentorProblem::BranchTaken { mentor } => {
            if zh {
                format!("该支部在这段时间已由导师“{mentor}”结对帮带，请先结束原结对")
            } else {
                format!("This branch is already paired with {mentor} then; end that pairing first")
            }
        }
        MentorProblem::MentorTaken { branch } => {
            if zh {
                format!("该导师已结对“{branch}”；如确需再联系一个支部，请勾选“增加结对”")
            } else {
                format!("This mentor is already paired with {branch}; tick “additional pairing” to add another")
            }
        }
        MentorProblem::EndsBeforeStart => {
            if zh {
                "结对的结束日期早于开始日期".into()
            } else {
                "The pairing ends before it starts".into()
            }
        }
        MentorProblem::NotPaired { date } => {
            if zh {
                format!("{date} 您未与该支部结对，不能记录这次辅导")
            } else {
                format!("You were not paired with this branch on {date}")
            }
        }
        MentorProblem::NotYourSession => {
            if zh {
                "只能由导师本人记录辅导".into()
            } else {
                "Only the mentor records their sessions".into()
            }
        }
    }
}

pub fn mentor_kind_name(locale: Locale, code: &str) -> &'static str {
    let zh = locale == Locale::ZhCn;
    match code {
        "street_leader" => {
            if zh {
                "街道班子成员"
            } else {
                "Street leadership"
            }
        }
        "secretary" => {
            if zh {
                "优秀基层党组织书记"
            } else {
                "Outstanding branch secretary"
            }
        }
        "governance_expert" => {
            if zh {
                "社会治理专家"
            } else {
                "Social governance expert"
            }
        }
        "property_expert" => {
            if zh {
                "物业管理专业人才"
            } else {
                "Property management professional"
            }
        }
        _ => "",
    }
}

pub fn session_form_name(locale: Locale, code: &str) -> &'static str {
    let zh = locale == Locale::ZhCn;
    match code {
        "one_to_one" => {
            if zh {
                "一对一联络"
            } else {
                "One-to-one contact"
            }
        }
        "hands_on" => {
            if zh {
                "手把手辅导"
            } else {
                "Hands-on coaching"
            }
        }
        "face_to_face" => {
            if zh {
                "面对面传授"
            } else {
                "Face-to-face teaching"
            }
        }
        _ => "",
    }
}

pub fn outcome_name(locale: Locale, code: &str) -> &'static str {
    let zh = locale == Locale::ZhCn;
    match code {
        "topic" => {
            if zh {
                "确定课题"
            } else {
                "Topic set"
            }
        }
        "rule" => {
            if zh {
                "完善制度"
            } else {
                "Rule improved"
            }
        }
        "activity" => {
            if zh {
                "设计活动"
            } else {
                "Activity designed"
            }
        }
        _ => "",
    }
}

/// One problem of the "1+5", naming the field.
pub fn one_plus_five_problem(locale: Locale, problem: &OnePlusFiveProblem) -> &'static str {
    use OnePlusFiveProblem::*;
    let zh = locale == Locale::ZhCn;
    match problem {
        MissingLiaisonLeader => {
            if zh {
                "未选择包联领导"
            } else {
                "no liaison leader chosen"
            }
        }
        LiaisonLeaderNotInRole => {
            if zh {
                "所选包联领导不是包联领导角色"
            } else {
                "the chosen liaison leader does not hold that role"
            }
        }
        MissingResponsible => {
            if zh {
                "未填写责任人"
            } else {
                "no responsible person"
            }
        }
        MissingBudget => {
            if zh {
                "未填写项目经费"
            } else {
                "no budget"
            }
        }
        BudgetNotPositive => {
            if zh {
                "项目经费必须大于 0"
            } else {
                "the budget must be above zero"
            }
        }
        MissingBudgetSource => {
            if zh {
                "未填写经费来源"
            } else {
                "no source of the budget"
            }
        }
        MissingTeam => {
            if zh {
                "工作队伍至少需要 1 名成员"
            } else {
                "the work team needs at least one member"
            }
        }
        MissingAssessment => {
            if zh {
                "未设置考核指标"
            } else {
                "no assessment indicators"
            }
        }
        WeightsNotHundred { .. } => {
            if zh {
                "考核指标权重之和必须为 100%"
            } else {
                "indicator weights must sum to 100%"
            }
        }
        IndicatorIncomplete => {
            if zh {
                "每个考核指标都需要名称和权重"
            } else {
                "every indicator needs a name and a weight"
            }
        }
    }
}

pub fn category_name(locale: Locale, category: Category) -> &'static str {
    let zh = locale == Locale::ZhCn;
    match category {
        Category::Livelihood => {
            if zh {
                "服务民生"
            } else {
                "Livelihood"
            }
        }
        Category::Education => {
            if zh {
                "学习教育"
            } else {
                "Education"
            }
        }
        Category::MemberManagement => {
            if zh {
                "党员管理"
            } else {
                "Member management"
            }
        }
        Category::Discipline => {
            if zh {
                "纪律作风"
            } else {
                "Discipline"
            }
        }
        Category::Standards => {
            if zh {
                "业务规范"
            } else {
                "Standards"
            }
        }
    }
}

pub fn tier_name(locale: Locale, tier: Tier) -> &'static str {
    let zh = locale == Locale::ZhCn;
    match tier {
        Tier::Key => {
            if zh {
                "重点项目"
            } else {
                "Key"
            }
        }
        Tier::General => {
            if zh {
                "一般项目"
            } else {
                "General"
            }
        }
        Tier::Micro => {
            if zh {
                "微项目"
            } else {
                "Micro"
            }
        }
    }
}

pub fn principle_name(locale: Locale, principle: Principle) -> &'static str {
    let zh = locale == Locale::ZhCn;
    match principle {
        Principle::Hotspot => {
            if zh {
                "热点"
            } else {
                "Hotspot"
            }
        }
        Principle::Focus => {
            if zh {
                "重点"
            } else {
                "Focus"
            }
        }
        Principle::Difficulty => {
            if zh {
                "难点"
            } else {
                "Difficulty"
            }
        }
        Principle::BlindSpot => {
            if zh {
                "盲点"
            } else {
                "Blind spot"
            }
        }
        Principle::Highlight => {
            if zh {
                "亮点"
            } else {
                "Highlight"
            }
        }
    }
}

pub fn status_name(locale: Locale, status: Status) -> &'static str {
    let zh = locale == Locale::ZhCn;
    match status {
        Status::Draft => {
            if zh {
                "草稿"
            } else {
                "Draft"
            }
        }
        Status::Submitted => {
            if zh {
                "已申报"
            } else {
                "Submitted"
            }
        }
        Status::InReview => {
            if zh {
                "审核中"
            } else {
                "In review"
            }
        }
        Status::Returned => {
            if zh {
                "已退回"
            } else {
                "Returned"
            }
        }
        Status::Filed => {
            if zh {
                "已备案"
            } else {
                "Filed"
            }
        }
        Status::InProgress => {
            if zh {
                "实施中"
            } else {
                "In progress"
            }
        }
        Status::Completed => {
            if zh {
                "已完成"
            } else {
                "Completed"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_from_cookie_header() {
        assert_eq!(Locale::from_cookie_header("a=1; lang=en; b=2"), Locale::En);
        assert_eq!(Locale::from_cookie_header("lang=zh-CN"), Locale::ZhCn);
        assert_eq!(Locale::from_cookie_header("xlang=en"), Locale::ZhCn);
        assert_eq!(Locale::from_cookie_header(""), Locale::ZhCn);
    }

    #[test]
    fn every_field_and_table_has_a_name_a_person_reads() {
        use crate::domain::records::TABLES;
        for table in TABLES {
            for locale in [Locale::ZhCn, Locale::En] {
                assert_ne!(table_noun(locale, table.name()), table.name(), "{table:?} has no name in {locale:?}");
                for field in table.fields() {
                    let name = field_name(locale, field.name);
                    assert_ne!(name, field.name, "{}.{} has no name in {locale:?}", table.name(), field.name);
                }
            }
        }
        // What a form sends before the server seals it.
        assert_eq!(field_name(Locale::ZhCn, "checked_out_at"), "签退时间");
        assert_eq!(field_name(Locale::En, "branch"), "Branch");
    }

    #[test]
    fn a_refused_move_says_who_may_and_from_where() {
        use crate::domain::projects::Status;
        assert_eq!(move_refusal(Locale::ZhCn, Status::Submitted, Status::Filed), "只有街道工作人员可以把项目从「已申报」移到「已备案」");
        assert_eq!(move_refusal(Locale::ZhCn, Status::Draft, Status::Filed), "「草稿」的项目不能直接移到「已备案」：街道工作人员从「已申报」或「审核中」移入");
        assert!(move_refusal(Locale::En, Status::Draft, Status::InProgress).contains("the branch's own staff move it there from"));
    }

    #[test]
    fn every_reason_has_a_message_in_both_languages() {
        let reasons = [
            Reason::UnknownTable,
            Reason::UnknownRecord,
            Reason::UnknownField { field: "x".into() },
            Reason::InvalidValue { field: "phone".into() },
            Reason::Forbidden,
            Reason::ClockAhead,
            Reason::WrongPassword,
            Reason::PasswordTriesUsed { minutes: 15 },
            Reason::OnePasswordChangeAtATime,
            Reason::PasswordPolicy { problem: PasswordError::TooSimple },
        ];
        for reason in reasons {
            let zh = reason_message(Locale::ZhCn, &reason);
            let en = reason_message(Locale::En, &reason);
            assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{zh}");
            assert!(en.is_ascii() || en.contains('“'), "{en}");
            assert_ne!(zh, en);
        }
    }
}

use leptos::prelude::*;

/// Puts the page's locale in context, read from the `lang` cookie on both sides.
pub fn provide_locale() -> RwSignal<Locale> {
    let locale = RwSignal::new(cookie_locale());
    provide_context(locale);
    locale
}

pub fn use_locale() -> RwSignal<Locale> {
    use_context::<RwSignal<Locale>>().unwrap_or_else(|| RwSignal::new(Locale::default()))
}

/// Changes the language now and remembers it for a year.
pub fn switch_locale(locale: RwSignal<Locale>) {
    let next = locale.get_untracked().other();
    locale.set(next);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Ok(html) = doc.dyn_into::<web_sys::HtmlDocument>() {
                let _ = html.set_cookie(&format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax", Locale::COOKIE, next.tag()));
            }
        }
    }
}

#[cfg(feature = "ssr")]
fn cookie_locale() -> Locale {
    request_locale()
}

#[cfg(not(feature = "ssr"))]
fn cookie_locale() -> Locale {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let cookies = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            .and_then(|d| d.cookie().ok())
            .unwrap_or_default();
        Locale::from_cookie_header(&cookies)
    }
    #[cfg(not(feature = "hydrate"))]
    Locale::default()
}

/// The locale of the request being served (server functions, rendering).
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    use_context::<axum::http::request::Parts>().map(|parts| Locale::from_headers(&parts.headers)).unwrap_or_default()
}

/// One message as a reactive text node. Every use shares this one component, where a
/// closure per message would each compile to their own copy of the rendering code.
#[component]
pub fn Tr(m: Msg) -> impl IntoView {
    let locale = use_locale();
    move || t(locale.get(), m)
}
