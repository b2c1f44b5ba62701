; Inno Setup script for KPI Desk. Build the one-folder bundle on Windows first:
;   py -m pip install pyinstaller -e .  &&  py -m PyInstaller packaging\kpidesk.spec
; then compile this script with ISCC.exe (Inno Setup 6): it packs dist\kpidesk\ into one installer.
#define AppName "KPI Desk"
#define AppVersion "0.1.0"

[Setup]
AppId={{5C3E7A9B-2F1D-4C8A-9E6B-KPIDESK00001}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=KPI Desk
DefaultDirName={autopf}\KPI Desk
DefaultGroupName=KPI Desk
; Per-user install by default: managers rarely have admin rights on their laptops.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=kpidesk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
SetupIconFile=..\..\resources\icons\kpidesk.ico
UninstallDisplayIcon={app}\kpidesk.exe
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\..\dist\kpidesk\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\KPI Desk"; Filename: "{app}\kpidesk.exe"
Name: "{autodesktop}\KPI Desk"; Filename: "{app}\kpidesk.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\kpidesk.exe"; Description: "Start KPI Desk"; Flags: nowait postinstall skipifsilent

; The database lives in %LOCALAPPDATA%\kpidesk and is never removed by the uninstaller:
; it holds the user's appraisal records.
